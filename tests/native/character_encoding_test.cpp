#include "character_encoding.h"

#include <catch2/catch.hpp>
#include <string>

using tep::append_utf8;
using tep::hex_digit_value;
using tep::read_json_unicode_escape;
using tep::read_utf8_code_point;

TEST_CASE("UTF-8 written for a code point reads back as that code point") {
  for (uint32_t code_point :
       {0x0u, 0x41u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xFFFDu, 0x10000u, 0x1F3B5u, 0x10FFFFu}) {
    std::string bytes;
    append_utf8(code_point, bytes);
    size_t pos = 0;
    uint32_t read = 0;
    REQUIRE(read_utf8_code_point(bytes, pos, read));
    CHECK(read == code_point);
    CHECK(pos == bytes.size());
  }
}

TEST_CASE("Malformed UTF-8 is refused and leaves the position where it was") {
  for (const char* malformed : {"\x80", "\xC3", "\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80",
                                "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "\xE2\x28\xA1"}) {
    INFO(malformed);
    size_t pos = 0;
    uint32_t code_point = 0;
    CHECK_FALSE(read_utf8_code_point(malformed, pos, code_point));
    CHECK(pos == 0);
  }
}

TEST_CASE("Hex digits of either case have their value and other characters none") {
  CHECK(hex_digit_value('0') == 0);
  CHECK(hex_digit_value('9') == 9);
  CHECK(hex_digit_value('a') == 10);
  CHECK(hex_digit_value('F') == 15);
  CHECK(hex_digit_value('g') == -1);
  CHECK(hex_digit_value('/') == -1);
  CHECK(tep::lower_hex_digit(0xB) == 'b');
  CHECK(tep::upper_hex_digit(0xB) == 'B');
}

TEST_CASE("A JSON unicode escape gives its UTF-16 unit, anything else nothing") {
  CHECK(read_json_unicode_escape(R"(x\u00E9)", 1) == 0xE9u);
  CHECK(read_json_unicode_escape(R"(\udBff)", 0) == 0xDBFFu);
  CHECK_FALSE(read_json_unicode_escape(R"(\u00E)", 0));
  CHECK_FALSE(read_json_unicode_escape(R"(\n0000)", 0));
  CHECK_FALSE(read_json_unicode_escape(R"(\u00G0)", 0));
  CHECK_FALSE(read_json_unicode_escape(R"(\u0000)", 7));
}
