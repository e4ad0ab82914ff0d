#include "xml_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

using tep::ElementPath;
using tep::read_xml_document;

namespace {

// Writes down every element event as "open a/b", "close a/b=text" or
// "close a/b (children)".
class EventLog final : public tep::ElementHandler {
 public:
  void on_open(const ElementPath& path) override { events.push_back("open " + joined(path)); }
  void on_close(const ElementPath& path, const std::string* text) override {
    events.push_back("close " + joined(path) + (text ? "=" + *text : " (children)"));
  }
  std::vector<std::string> events;

 private:
  static std::string joined(const ElementPath& path) {
    std::string names;
    for (const auto& element : path)
      names += (names.empty() ? "" : "/") + std::string(element.local_name);
    return names;
  }
};

std::vector<std::string> events_of(std::string_view document) {
  EventLog log;
  if (!read_xml_document(document, log)) return {"malformed"};
  return log.events;
}

}  // namespace

TEST_CASE("Elements are reported with their path and character data") {
  CHECK(events_of("<a><b>one</b><c/></a>") ==
        std::vector<std::string>{"open a", "open a/b", "close a/b=one", "open a/c",
                                 "close a/c=", "close a (children)"});
}

TEST_CASE("Namespaces are matched by local name and the prefix must repeat in the end tag") {
  CHECK(events_of(R"(<p:a xmlns:p="urn:x"><p:b>1</p:b></p:a>)") ==
        std::vector<std::string>{"open a", "open a/b", "close a/b=1", "close a (children)"});
  CHECK(events_of("<p:a></a>") == std::vector<std::string>{"malformed"});
  CHECK(events_of("<p:q:a/>") == std::vector<std::string>{"malformed"});
}

TEST_CASE("References, CDATA and line ends are decoded as XML hands them on") {
  CHECK(events_of("<a>&lt;&amp;&#65;&#x42;<![CDATA[&lt;]]>\r\nx\ry</a>") ==
        std::vector<std::string>{"open a", "close a=<&AB&lt;\nx\ny"});
}

TEST_CASE("The declaration, a byte order mark, comments, instructions and a DOCTYPE are skipped") {
  CHECK(events_of("\xEF\xBB\xBF<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY e \"]\">]>"
                  "<!-- c --><?pi x?><a/><!-- after -->") ==
        std::vector<std::string>{"open a", "close a="});
}

TEST_CASE("Malformed documents are refused") {
  for (const char* malformed :
       {"", "text", "<a>", "<a></b>", "<a/><b/>", "<a>&unknown;</a>", "<a>&#1;</a>",
        "<a x='1' x='2'/>", "<a x=1/>", "<a><!-- -- --></a>", "<a>]]></a>",
        " <?xml version='1.0'?><a/>", "<a>\x01</a>", "<a>\xC3</a>", "<!DOCTYPE a><!DOCTYPE a><a/>",
        "<a><![CDATA[x</a>"}) {
    INFO(malformed);
    CHECK(events_of(malformed) == std::vector<std::string>{"malformed"});
  }
}

TEST_CASE("Elements nest at most the stated depth") {
  std::string deep;
  for (size_t i = 0; i < tep::kMaxXmlDepth; ++i) deep += "<a>";
  for (size_t i = 0; i < tep::kMaxXmlDepth; ++i) deep += "</a>";
  CHECK(events_of(deep).size() == 2 * tep::kMaxXmlDepth);
  CHECK(events_of("<a>" + deep + "</a>") == std::vector<std::string>{"malformed"});
}

TEST_CASE("XML white space is trimmed at both ends only") {
  CHECK(tep::trim_xml_space(" \t\r\n a b \n") == "a b");
  CHECK(tep::trim_xml_space("   ").empty());
}
