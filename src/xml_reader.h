// A small, non-validating XML 1.0 reader (with namespaces) for the
// collector's responses: no DOM, no recursion, time linear in the size of the
// document. It hands each element's start and end, with the path of open
// elements and the element's character data, to an ElementHandler.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tep {

/// An element that is open while the document is read.
struct OpenElement {
  std::string_view qualified_name;  ///< as written, which the end tag must repeat
  std::string_view local_name;      ///< without its namespace prefix
  bool has_child_element = false;
};

/// The open elements, root first; the last is the one starting or ending.
using ElementPath = std::vector<OpenElement>;

/// Receives the elements of a document as they are read. What it gathers
/// counts only if read_xml_document() then returns true.
class ElementHandler {
 public:
  /// An element started (a self-closing one ends right after).
  virtual void on_open(const ElementPath& path) = 0;
  /// An element ended. `text`: its character data (references decoded,
  /// CDATA included, line ends normalised to LF), or null when it has child
  /// elements (then it holds no value of its own).
  virtual void on_close(const ElementPath& path, const std::string* text) = 0;

 protected:
  ~ElementHandler() = default;
};

/// Elements nest at most this deep: the collector's responses nest four
/// deep, and the cap bounds the element stack whatever the input.
constexpr size_t kMaxXmlDepth = 64;

/// Reads `document`, calling `handler` for every element. True if it is
/// well-formed: valid UTF-8 of XML Chars, an optional byte order mark and
/// XML declaration, one root element, tags matched, attributes unique and
/// quoted, only the predefined entities and character references to XML
/// Chars; comments, processing instructions, CDATA and a DOCTYPE (whose
/// declarations are skipped, never expanded) allowed. Never throws.
bool read_xml_document(std::string_view document, ElementHandler& handler);

/// `text` without XML white space (space, tab, CR, LF) at either end.
std::string_view trim_xml_space(std::string_view text);

}  // namespace tep
