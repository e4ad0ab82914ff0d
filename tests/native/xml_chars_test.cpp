#include "xml_chars.h"

#include <catch2/catch.hpp>

using tep::is_xml_char;
using tep::json_has_only_xml_chars;
using tep::utf8_has_only_xml_chars;

TEST_CASE("XML Chars are tab, line ends and the ranges of XML 1.0 without surrogates") {
  for (uint32_t allowed :
       {0x9u, 0xAu, 0xDu, 0x20u, 0xD7FFu, 0xE000u, 0xFFFDu, 0x10000u, 0x10FFFFu}) {
    CHECK(is_xml_char(allowed));
  }
  for (uint32_t refused :
       {0x0u, 0x8u, 0xCu, 0x1Fu, 0xD800u, 0xDFFFu, 0xFFFEu, 0xFFFFu, 0x110000u}) {
    CHECK_FALSE(is_xml_char(refused));
  }
}

TEST_CASE("UTF-8 text passes only if well-formed and made of XML Chars") {
  CHECK(utf8_has_only_xml_chars(""));
  CHECK(utf8_has_only_xml_chars("caf\xC3\xA9 \xF0\x9F\x8E\xB5\t\n"));
  CHECK_FALSE(utf8_has_only_xml_chars(std::string_view("a\0b", 3)));
  CHECK_FALSE(utf8_has_only_xml_chars("\x01"));
  CHECK_FALSE(utf8_has_only_xml_chars("\xEF\xBF\xBE"));  // U+FFFE
  CHECK_FALSE(utf8_has_only_xml_chars("\xC3"));          // truncated
  CHECK_FALSE(utf8_has_only_xml_chars("\xC0\xAF"));      // overlong '/'
  CHECK_FALSE(utf8_has_only_xml_chars("\xED\xA0\x80"));  // a surrogate in UTF-8
}

TEST_CASE("JSON text is judged by the characters its escapes stand for") {
  CHECK(json_has_only_xml_chars(R"({"a":"\n\t\r\"\\\/\u00e9"})"));
  CHECK(json_has_only_xml_chars(R"(["\ud83c\udfb5"])"));  // a surrogate pair
  CHECK_FALSE(json_has_only_xml_chars(R"(["\u0001"])"));
  CHECK_FALSE(json_has_only_xml_chars(R"(["\b"])"));
  CHECK_FALSE(json_has_only_xml_chars(R"(["\f"])"));
  CHECK_FALSE(json_has_only_xml_chars(R"(["\ud800"])"));        // lone high surrogate
  CHECK_FALSE(json_has_only_xml_chars(R"(["\udc00"])"));        // lone low surrogate
  CHECK_FALSE(json_has_only_xml_chars(R"(["\ud800\u0041"])"));  // high surrogate, no low one
  CHECK_FALSE(json_has_only_xml_chars(R"(["\uFFFE"])"));
  CHECK_FALSE(json_has_only_xml_chars(R"(["\u12"])"));  // truncated escape
  CHECK_FALSE(json_has_only_xml_chars("\"\\"));
}
