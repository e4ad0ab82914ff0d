#include "xml_reader.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "character_encoding.h"
#include "xml_chars.h"

namespace tep {
namespace {

// Past the largest code point; character references saturate here so that
// a long run of digits cannot overflow.
constexpr uint32_t kBeyondUnicode = kMaxCodePoint + 1;

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_decimal_digit(char c) { return c >= '0' && c <= '9'; }

// XML's NameStartChar and NameChar, with every non-ASCII character accepted:
// the body is known to be valid UTF-8 by then, and no name the collector
// sends uses one.
bool is_name_start_byte(char c) {
  return is_ascii_letter(c) || c == '_' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_name_byte(char c) {
  return is_name_start_byte(c) || is_decimal_digit(c) || c == '-' || c == '.';
}

// Namespaces in XML: at most one colon, with a prefix and a local part around
// it. The prefix itself is ignored: elements are matched by local name.
bool split_qualified_name(std::string_view name, std::string_view& local) {
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) {
    local = name;
    return true;
  }
  bool second_colon = name.find(':', colon + 1) != std::string_view::npos;
  if (colon == 0 || colon + 1 == name.size() || second_colon) return false;
  local = name.substr(colon + 1);
  return is_name_start_byte(local.front());
}

// The reference starting at raw[at] == '&': appends what it stands for to
// `out` (when given) and moves `at` past its ';'. False for an unknown
// entity (nothing declared in a DOCTYPE is expanded) or a character reference
// to something that is not an XML Char.
bool decode_reference(std::string_view raw, size_t& at, std::string* out) {
  size_t semicolon = raw.find(';', at + 1);
  if (semicolon == std::string_view::npos) return false;
  std::string_view reference = raw.substr(at + 1, semicolon - at - 1);
  at = semicolon + 1;

  static constexpr std::pair<std::string_view, char> kPredefinedEntities[] = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& entity : kPredefinedEntities) {
    if (reference == entity.first) {
      if (out != nullptr) *out += entity.second;
      return true;
    }
  }

  if (reference.empty() || reference.front() != '#') return false;
  bool hexadecimal = reference.size() > 1 && reference[1] == 'x';  // XML allows only a lower-case x
  std::string_view digits = reference.substr(hexadecimal ? 2 : 1);
  if (digits.empty()) return false;
  uint32_t code_point = 0;
  for (char c : digits) {
    int digit = hexadecimal ? hex_digit_value(c) : (is_decimal_digit(c) ? c - '0' : -1);
    if (digit < 0) return false;
    code_point = std::min(code_point * (hexadecimal ? 16 : 10) + static_cast<uint32_t>(digit),
                          kBeyondUnicode);
  }
  if (!is_xml_char(code_point)) return false;
  if (out != nullptr) append_utf8(code_point, *out);
  return true;
}

// Character data as XML hands it on: end-of-line normalised (CR LF and a lone
// CR become LF, as a browser's DOMParser does). References are decoded when
// `decode_references` is set; CDATA sections pass it unset.
bool append_character_data(std::string_view raw, bool decode_references, std::string& out) {
  auto needs_work = [decode_references](char c) {
    return c == '\r' || (c == '&' && decode_references);
  };
  size_t at = 0;
  while (at < raw.size()) {
    size_t run_end = at;
    while (run_end < raw.size() && !needs_work(raw[run_end])) ++run_end;
    out.append(raw.data() + at, run_end - at);
    at = run_end;
    if (at == raw.size()) break;
    if (raw[at] == '&') {
      if (!decode_reference(raw, at, &out)) return false;
    } else {
      out += '\n';
      at += at + 1 < raw.size() && raw[at + 1] == '\n' ? 2 : 1;
    }
  }
  return true;
}

// A single forward pass over the document, without recursion: each step
// either moves past what it read or ends the pass, so the time is linear in
// the size of the body and the stack does not grow with nesting.
class XmlReader {
 public:
  XmlReader(std::string_view document, ElementHandler& handler)
      : document_(document), handler_(handler) {}

  /// True if the document is well-formed and every element event reached
  /// the handler.
  bool read_document() {
    if (!utf8_has_only_xml_chars(document_)) return false;
    if (starts_with(kUtf8ByteOrderMark)) pos_ = kUtf8ByteOrderMark.size();
    declaration_pos_ = pos_;
    while (pos_ < document_.size()) {
      bool ok = document_[pos_] == '<' ? read_markup() : read_character_data();
      if (!ok) return false;
    }
    return stage_ == Stage::kAfterRoot;
  }

 private:
  enum class Stage { kBeforeRoot, kInRoot, kAfterRoot };

  bool starts_with(std::string_view token) const {
    return pos_ <= document_.size() && document_.substr(pos_, token.size()) == token;
  }

  bool at_end() const { return pos_ >= document_.size(); }

  /// True if at least one whitespace character was skipped.
  bool skip_spaces() {
    size_t start = pos_;
    while (!at_end() && is_xml_space(document_[pos_])) ++pos_;
    return pos_ != start;
  }

  std::string_view read_name() {
    size_t start = pos_;
    if (at_end() || !is_name_start_byte(document_[pos_])) return {};
    while (!at_end() && is_name_byte(document_[pos_])) ++pos_;
    return document_.substr(start, pos_ - start);
  }

  bool read_markup() {
    if (starts_with("<!--")) return read_comment();
    if (starts_with("<![CDATA[")) return stage_ == Stage::kInRoot && read_cdata();
    if (starts_with("<!DOCTYPE")) {
      return stage_ == Stage::kBeforeRoot && !doctype_seen_ && read_doctype();
    }
    if (starts_with("<?")) return read_processing_instruction();
    if (starts_with("</")) return stage_ == Stage::kInRoot && read_end_tag();
    return stage_ != Stage::kAfterRoot && read_start_tag();
  }

  bool read_character_data() {
    size_t end = std::min(document_.find('<', pos_), document_.size());
    std::string_view raw = document_.substr(pos_, end - pos_);
    pos_ = end;
    if (stage_ != Stage::kInRoot) {
      return std::all_of(raw.begin(), raw.end(), is_xml_space);
    }
    // Only a CDATA section may close with "]]>".
    return raw.find("]]>") == std::string_view::npos &&
           append_character_data(raw, /*decode_references=*/true, text_);
  }

  bool read_start_tag() {
    ++pos_;  // '<'
    std::string_view qualified_name = read_name();
    std::string_view local_name;
    if (qualified_name.empty() || !split_qualified_name(qualified_name, local_name)) return false;

    attribute_names_.clear();
    bool self_closing = false;
    for (;;) {
      bool spaced = skip_spaces();
      if (at_end()) return false;
      if (document_[pos_] == '>') {
        ++pos_;
        break;
      }
      if (starts_with("/>")) {
        pos_ += 2;
        self_closing = true;
        break;
      }
      if (!spaced || !read_attribute()) return false;
    }
    std::sort(attribute_names_.begin(), attribute_names_.end());
    if (std::adjacent_find(attribute_names_.begin(), attribute_names_.end()) !=
        attribute_names_.end()) {
      return false;
    }

    if (open_.size() >= kMaxXmlDepth) return false;
    if (!open_.empty()) open_.back().has_child_element = true;
    open_.push_back({qualified_name, local_name, false});
    stage_ = Stage::kInRoot;
    text_.clear();
    handler_.on_open(open_);
    if (self_closing) close_element();
    return true;
  }

  // name = "value" or name = 'value'. Attributes, xmlns included, carry
  // nothing the collector means, but must still be well-formed.
  bool read_attribute() {
    std::string_view name = read_name();
    std::string_view local_name;
    if (name.empty() || !split_qualified_name(name, local_name)) return false;
    attribute_names_.push_back(name);
    skip_spaces();
    if (at_end() || document_[pos_] != '=') return false;
    ++pos_;
    skip_spaces();
    if (at_end() || (document_[pos_] != '"' && document_[pos_] != '\'')) return false;
    char quote = document_[pos_++];
    size_t close = document_.find(quote, pos_);
    if (close == std::string_view::npos) return false;
    std::string_view value = document_.substr(pos_, close - pos_);
    pos_ = close + 1;
    if (value.find('<') != std::string_view::npos) return false;
    for (size_t at = value.find('&'); at != std::string_view::npos; at = value.find('&', at)) {
      if (!decode_reference(value, at, nullptr)) return false;
    }
    return true;
  }

  bool read_end_tag() {
    pos_ += 2;  // "</"
    std::string_view name = read_name();
    skip_spaces();
    if (at_end() || document_[pos_] != '>' || name != open_.back().qualified_name) return false;
    ++pos_;
    close_element();
    return true;
  }

  void close_element() {
    handler_.on_close(open_, open_.back().has_child_element ? nullptr : &text_);
    open_.pop_back();
    text_.clear();
    if (open_.empty()) stage_ = Stage::kAfterRoot;
  }

  // "--" may appear in a comment only as part of its closing "-->".
  bool read_comment() {
    size_t dashes = document_.find("--", pos_ + std::strlen("<!--"));
    if (dashes == std::string_view::npos || dashes + 2 >= document_.size() ||
        document_[dashes + 2] != '>') {
      return false;
    }
    pos_ = dashes + std::strlen("-->");
    return true;
  }

  bool read_cdata() {
    size_t content = pos_ + std::strlen("<![CDATA[");
    size_t end = document_.find("]]>", content);
    if (end == std::string_view::npos) return false;
    pos_ = end + std::strlen("]]>");
    return append_character_data(document_.substr(content, end - content),
                                 /*decode_references=*/false, text_);
  }

  // The XML declaration is a processing instruction with the target "xml",
  // allowed only at the very start; other instructions are skipped anywhere.
  bool read_processing_instruction() {
    size_t start = pos_;
    pos_ += std::strlen("<?");
    std::string_view target = read_name();
    if (target.empty()) return false;
    bool reserved = target.size() == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' &&
                    (target[2] | 0x20) == 'l';
    if (reserved && (target != "xml" || start != declaration_pos_)) return false;
    if (starts_with("?>")) {
      pos_ += 2;
      return true;
    }
    if (!skip_spaces()) return false;
    size_t end = document_.find("?>", pos_);
    if (end == std::string_view::npos) return false;
    pos_ = end + std::strlen("?>");
    return true;
  }

  // Skipped without reading anything from it: no entity declared in an
  // internal subset is expanded, so a reference to one is an unknown entity.
  bool read_doctype() {
    pos_ += std::strlen("<!DOCTYPE");
    if (!skip_spaces() || read_name().empty()) return false;
    while (!at_end()) {
      char c = document_[pos_];
      if (c == '>') {
        ++pos_;
        doctype_seen_ = true;
        return true;
      }
      if (c == '"' || c == '\'') {
        if (!skip_quoted()) return false;
      } else if (c == '[') {
        if (!skip_internal_subset()) return false;
      } else if (c == '<') {
        return false;
      } else {
        ++pos_;
      }
    }
    return false;
  }

  bool skip_quoted() {
    size_t close = document_.find(document_[pos_], pos_ + 1);
    if (close == std::string_view::npos) return false;
    pos_ = close + 1;
    return true;
  }

  // Quoted literals, comments and processing instructions may hold ']'.
  bool skip_internal_subset() {
    ++pos_;  // '['
    while (!at_end()) {
      char c = document_[pos_];
      bool ok = true;
      if (c == ']') {
        ++pos_;
        return true;
      } else if (c == '"' || c == '\'') {
        ok = skip_quoted();
      } else if (starts_with("<!--")) {
        ok = read_comment();
      } else if (starts_with("<?")) {
        ok = read_processing_instruction();
      } else {
        ++pos_;
      }
      if (!ok) return false;
    }
    return false;
  }

  std::string_view document_;
  ElementHandler& handler_;
  size_t pos_ = 0;
  size_t declaration_pos_ = 0;  ///< where an XML declaration may stand: after a byte order mark
  Stage stage_ = Stage::kBeforeRoot;
  bool doctype_seen_ = false;
  ElementPath open_;
  std::string text_;  ///< character data of the innermost open element so far
  std::vector<std::string_view> attribute_names_;  ///< of the start tag being read
};

}  // namespace

bool read_xml_document(std::string_view document, ElementHandler& handler) {
  return XmlReader(document, handler).read_document();
}

std::string_view trim_xml_space(std::string_view text) {
  while (!text.empty() && is_xml_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_xml_space(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace tep
