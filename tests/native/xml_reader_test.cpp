// The XML reader: elements and their text, and every part of XML 1.0 it
// skips, decodes or refuses. The second half reads the collector's answers,
// the documents the reader exists for, through decode_batch_response(): there
// a document the reader refuses must confirm no event at all.
#include "xml_reader.h"

#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "send_message_batch.h"
#include "unrecognised_response.h"

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

using Kind = tep::BatchResponse::Kind;

// Wrapped around each malformed piece below: without strictness, the entry
// in front of the fault would confirm an event.
const std::string kOpenWithOneEntry =
    "<SendMessageBatchResponse><SendMessageBatchResult>"
    "<SendMessageBatchResultEntry><Id>accepted-if-lenient</Id></SendMessageBatchResultEntry>";
const std::string kClose = "</SendMessageBatchResult></SendMessageBatchResponse>";

std::string with_entry(const std::string& fault) { return kOpenWithOneEntry + fault + kClose; }

std::string repeated(const std::string& text, size_t times) {
  std::string out;
  out.reserve(text.size() * times);
  for (size_t i = 0; i < times; ++i) out += text;
  return out;
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

// --- The XML of the collector's answers ---------------------------------------

TEST_CASE("Elements are matched by local name whatever their namespace prefix") {
  auto batch = tep::decode_batch_response(
      "<sqs:SendMessageBatchResponse xmlns:sqs=\"http://queue.amazonaws.com/doc/2012-11-05/\" "
      "xmlns:b='urn:b'>"
      "<sqs:SendMessageBatchResult>"
      "<sqs:SendMessageBatchResultEntry><sqs:Id>p-1</sqs:Id></sqs:SendMessageBatchResultEntry>"
      "<b:SendMessageBatchResultEntry><Id>p-2</Id></b:SendMessageBatchResultEntry>"
      "<sqs:BatchResultErrorEntry><b:Id>p-3</b:Id><sqs:SenderFault>true</sqs:SenderFault>"
      "<sqs:Code>C</sqs:Code></sqs:BatchResultErrorEntry>"
      "</sqs:SendMessageBatchResult></sqs:SendMessageBatchResponse>");
  CHECK(batch.kind == Kind::kBatchResult);
  CHECK(batch.accepted == std::vector<std::string>{"p-1", "p-2"});
  REQUIRE(batch.rejected.size() == 1);
  CHECK(batch.rejected[0].id == "p-3");
  CHECK(batch.rejected[0].sender_fault);
  CHECK(batch.rejected[0].code == "C");

  auto error = tep::decode_batch_response(
      "<q:ErrorResponse xmlns:q='urn:q'><q:Error><q:Type>Receiver</q:Type>"
      "<q:Code>ServiceUnavailable</q:Code></q:Error></q:ErrorResponse>");
  CHECK(error.kind == Kind::kErrorResponse);
  CHECK(error.error_type == "Receiver");
  CHECK(error.error_code == "ServiceUnavailable");
}

TEST_CASE(
    "Whitespace, comments, processing instructions, CDATA and references are read as XML reads "
    "them") {
  auto response = tep::decode_batch_response(
      "\xEF\xBB\xBF<?xml version='1.0' encoding='UTF-8'?>\r\n"
      "<!-- before the root -->\n"
      "<!DOCTYPE SendMessageBatchResponse [\n"
      "  <!ENTITY ignored \"never expanded ] > \">\n"
      "  <!-- a ] in a comment --> <?pi a ] too?>\n"
      "]>\n"
      "<?xml-stylesheet href='x.xsl'?>\n"
      "<SendMessageBatchResponse xmlns=\"urn:x\" >\n"
      "  <SendMessageBatchResult\n   >\n"
      "    <SendMessageBatchResultEntry>\n"
      "      <Id>\n   a&amp;b&#x41;&#66;<!-- inside "
      "--><![CDATA[<c>&amp;]]><?pi?>&lt;&gt;&quot;&apos;\t</Id >\n"
      "    </SendMessageBatchResultEntry>\n"
      "    <BatchResultErrorEntry><Id><![CDATA[  spaced  ]]></Id><SenderFault>\n true "
      "\n</SenderFault>"
      "<Message>line one\r\nline two\rline three&#13;end\r\n</Message></BatchResultErrorEntry>\n"
      "  </SendMessageBatchResult>\n"
      "</SendMessageBatchResponse>\n"
      "<!-- after the root --><?pi after?>\n\n");
  REQUIRE(response.kind == Kind::kBatchResult);
  CHECK(response.accepted == std::vector<std::string>{"a&bAB<c>&amp;<>\"'"});
  REQUIRE(response.rejected.size() == 1);
  CHECK(response.rejected[0].id == "spaced");
  CHECK(response.rejected[0].sender_fault);
  // Line ends normalise to LF as in any XML parser; a character reference
  // keeps its CR.
  CHECK(response.rejected[0].message == "line one\nline two\nline three\rend");
}

TEST_CASE("Character references decode to UTF-8 up to the last code point, leading zeros allowed") {
  auto response = tep::decode_batch_response(
      "<SendMessageBatchResponse><SendMessageBatchResult><SendMessageBatchResultEntry>"
      "<Id>&#233;&#x1F3B5;&#x10FFFF;&#x0000000041;&#9;x&#xD7FF;&#xE000;&#xFFFD;&#x10000;</Id>"
      "</SendMessageBatchResultEntry></SendMessageBatchResult></SendMessageBatchResponse>");
  REQUIRE(response.accepted.size() == 1);
  CHECK(response.accepted[0] ==
        "\xC3\xA9\xF0\x9F\x8E\xB5\xF4\x8F\xBF\xBF"
        "A\tx\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBD\xF0\x90\x80\x80");
}

TEST_CASE("Ids with markup characters come back unescaped") {
  auto response = tep::decode_batch_response(
      "<SendMessageBatchResponse><SendMessageBatchResult><SendMessageBatchResultEntry>"
      "<Id>a&lt;b&gt;&amp;&quot;c&apos; d</Id>"
      "</SendMessageBatchResultEntry></SendMessageBatchResult></SendMessageBatchResponse>");
  CHECK(response.accepted == std::vector<std::string>{"a<b>&\"c' d"});
}

TEST_CASE("Attributes, xmlns declarations included, are ignored") {
  auto response = tep::decode_batch_response(
      "<SendMessageBatchResponse xmlns='urn:a' xmlns:x=\"urn:b\" x:a = \"1 &amp; &#60; >\">"
      "<SendMessageBatchResult x:y='2'><SendMessageBatchResultEntry Id='not-this'>"
      "<Id type=\"string\">the-id</Id><Id2/></SendMessageBatchResultEntry>"
      "</SendMessageBatchResult></SendMessageBatchResponse>");
  CHECK(response.accepted == std::vector<std::string>{"the-id"});
}

TEST_CASE("Malformed documents are unrecognised and confirm nothing") {
  const std::vector<std::pair<const char*, std::string>> malformed = {
      {"unclosed root", kOpenWithOneEntry + "</SendMessageBatchResult>"},
      {"unclosed inner element", kOpenWithOneEntry + "<Other>" + kClose},
      {"mismatched end tag", with_entry("<Other></Another>")},
      {"overlapping elements", with_entry("<A><B></A></B>")},
      {"end tag with another prefix",
       "<a:SendMessageBatchResponse xmlns:a='urn:x' xmlns:b='urn:x'><a:SendMessageBatchResult>"
       "<a:SendMessageBatchResultEntry><a:Id>x</a:Id></a:SendMessageBatchResultEntry>"
       "</a:SendMessageBatchResult></b:SendMessageBatchResponse>"},
      {"end tag without its prefix", with_entry("<p:Other xmlns:p='urn:p'></Other>")},
      {"stray end tag after the root", with_entry("") + "</SendMessageBatchResponse>"},
      {"text before the root", "junk" + with_entry("")},
      {"text after the root", with_entry("") + "junk"},
      {"a reference after the root", with_entry("") + "&#32;"},
      {"a second root", with_entry("") + "<SendMessageBatchResponse/>"},
      {"'<' in an attribute value", with_entry("<Other a='1<2'/>")},
      {"an unquoted attribute value", with_entry("<Other a=1/>")},
      {"an attribute without a value", with_entry("<Other a/>")},
      {"a duplicated attribute", with_entry("<Other a='1' a=\"2\"/>")},
      {"attributes not separated by whitespace", with_entry("<Other a='1'b='2'/>")},
      {"an unterminated attribute value", with_entry("<Other a='1/>")},
      {"an unknown entity in an attribute", with_entry("<Other a='&foo;'/>")},
      {"an end tag with an attribute", with_entry("<Other></Other a='1'>")},
      {"a space inside '/>'", with_entry("<Other/ >")},
      {"an unknown named entity", with_entry("<Other>&nbsp;</Other>")},
      {"a reference without its semicolon", with_entry("<Other>&amp</Other>")},
      {"a bare ampersand", with_entry("<Other>a & b</Other>")},
      {"an empty decimal reference", with_entry("<Other>&#;</Other>")},
      {"an empty hexadecimal reference", with_entry("<Other>&#x;</Other>")},
      {"a reference to NUL", with_entry("<Other>&#0;</Other>")},
      {"a reference to a control character", with_entry("<Other>&#x1;</Other>")},
      {"a reference to a surrogate", with_entry("<Other>&#xD800;</Other>")},
      {"a reference to U+FFFE", with_entry("<Other>&#xFFFE;</Other>")},
      {"a reference beyond Unicode", with_entry("<Other>&#x110000;</Other>")},
      {"a reference that would overflow", with_entry("<Other>&#99999999999999999999;</Other>")},
      {"an upper-case X in a hexadecimal reference", with_entry("<Other>&#X41;</Other>")},
      {"a letter in a decimal reference", with_entry("<Other>&#12a;</Other>")},
      {"a space inside a reference", with_entry("<Other>&am p;</Other>")},
      {"an unterminated comment", kOpenWithOneEntry + "<!-- " + kClose},
      {"a double hyphen inside a comment", with_entry("<!-- a -- b -->")},
      {"a comment ending in three hyphens", with_entry("<!-- a --->")},
      {"an unterminated CDATA section", kOpenWithOneEntry + "<![CDATA[ " + kClose},
      {"a CDATA section before the root", "<![CDATA[x]]>" + with_entry("")},
      {"a CDATA section after the root", with_entry("") + "<![CDATA[x]]>"},
      {"']]>' in text", with_entry("<Other>a]]>b</Other>")},
      {"an XML declaration not at the start", " <?xml version='1.0'?>" + with_entry("")},
      {"an XML declaration after a comment", "<!-- c --><?xml version='1.0'?>" + with_entry("")},
      {"an XML declaration inside the root", with_entry("<?xml version='1.0'?>")},
      {"an XML declaration with the target in capitals", "<?XML version='1.0'?>" + with_entry("")},
      {"a processing instruction without a target", with_entry("<? x ?>")},
      {"an unterminated processing instruction", kOpenWithOneEntry + "<?pi " + kClose},
      {"a DOCTYPE after the root", with_entry("") + "<!DOCTYPE r>"},
      {"a DOCTYPE inside the root", with_entry("<!DOCTYPE r>")},
      {"two DOCTYPEs", "<!DOCTYPE r><!DOCTYPE r>" + with_entry("")},
      {"a DOCTYPE without a name", "<!DOCTYPE>" + with_entry("")},
      {"an unterminated internal subset", "<!DOCTYPE r [ <!ENTITY e 'x'>" + with_entry("")},
      {"a lower-case doctype", "<!doctype r>" + with_entry("")},
      {"a control character in text", with_entry("<Other>\x01</Other>")},
      {"a NUL byte in text", with_entry(std::string("<Other>\0</Other>", 16))},
      {"invalid UTF-8 in text", with_entry("<Other>\xC3\x28</Other>")},
      {"a UTF-8 encoded surrogate", with_entry("<Other>\xED\xA0\x80</Other>")},
      {"a byte order mark after whitespace", " \xEF\xBB\xBF" + with_entry("")},
      {"a name starting with a digit", with_entry("<1Other/>")},
      {"a name starting with a hyphen", with_entry("<-Other/>")},
      {"whitespace after '<'", with_entry("< Other/>")},
      {"two colons in a name", with_entry("<a:b:Other xmlns:a='urn:a'/>")},
      {"an empty prefix", with_entry("<:Other/>")},
      {"an empty local name", with_entry("<p: xmlns:p='urn:p'/>")},
      {"an empty tag", with_entry("<>")},
      {"an empty end tag", with_entry("<Other></>")},
      {"an unterminated start tag", kOpenWithOneEntry + "<Other"},
      {"an unterminated end tag", kOpenWithOneEntry + "</SendMessageBatchResult"},
      {"a lone '<' at the end", with_entry("") + "<"},
  };
  for (const auto& [fault, document] : malformed) {
    INFO(fault);
    require_unrecognised(tep::decode_batch_response(document));
  }
  // The wrapper on its own is fine: each fault above is what breaks it.
  CHECK(tep::decode_batch_response(with_entry("")).accepted ==
        std::vector<std::string>{"accepted-if-lenient"});
}

TEST_CASE("Nesting is read up to the depth limit and refused one level past it") {
  // The wrapper holds two open elements; with 62 more, the innermost is at depth 64.
  auto response =
      tep::decode_batch_response(with_entry(repeated("<a>", 62) + repeated("</a>", 62)));
  CHECK(response.kind == Kind::kBatchResult);
  CHECK(response.accepted == std::vector<std::string>{"accepted-if-lenient"});
  require_unrecognised(
      tep::decode_batch_response(with_entry(repeated("<a>", 63) + repeated("</a>", 63))));
}

TEST_CASE("An entity declared in a DOCTYPE is never expanded, so a reference to it is refused") {
  const std::string internal_subset = "<!DOCTYPE SendMessageBatchResponse [<!ENTITY e 'x'>]>";
  CHECK(tep::decode_batch_response(internal_subset + with_entry("")).accepted.size() == 1);
  require_unrecognised(
      tep::decode_batch_response(internal_subset + with_entry("<Other>&e;</Other>")));
}

TEST_CASE("A document nested a million deep is refused without exhausting the stack") {
  const size_t depth = 1000000;
  require_unrecognised(
      tep::decode_batch_response(repeated("<a>", depth) + repeated("</a>", depth)));
}
