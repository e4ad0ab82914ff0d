#include "json_text.h"

#include <catch2/catch.hpp>

TEST_CASE("Strings are quoted exactly as JSON.stringify quotes them") {
  CHECK(tep::json_string("a\"b\\c") == R"("a\"b\\c")");
  CHECK(tep::json_string("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(tep::json_string(std::string("\x01\x1f", 2)) == R"("\u0001\u001f")");
  CHECK(tep::json_string("/ \x7f \xE2\x80\xA8") == "\"/ \x7f \xE2\x80\xA8\"");
}

TEST_CASE("Object members keep their raw value text") {
  auto members = tep::scan_json_object(R"( {"a": 1.50e+3 , "b" :[1,{"c":null}],"\u0041":"x\"y"} )");
  REQUIRE(members);
  REQUIRE(members->size() == 3);
  CHECK((*members)[0].key == "a");
  CHECK((*members)[0].raw_value == "1.50e+3");
  CHECK((*members)[1].raw_value == R"([1,{"c":null}])");
  CHECK((*members)[2].key == "A");
  CHECK((*members)[2].raw_value == R"("x\"y")");
}

TEST_CASE("Malformed JSON is refused rather than half read") {
  for (const char* text :
       {"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":01}", "{\"a\":tru}", "{\"a\":\"\n\"}",
        "{\"a\":1} x", "[1]", "{\"a\":\"\\x\"}", "{\"a\":-}"}) {
    INFO(text);
    CHECK_FALSE(tep::scan_json_object(text));
  }
}

TEST_CASE("Nesting deeper than the limit is refused without exhausting the stack") {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  CHECK_FALSE(tep::scan_json_object(deep));
}

TEST_CASE("String escapes decode to UTF-8 and lone surrogates are refused") {
  CHECK(tep::decode_json_string(R"("\u00e9\ud83d\ude00\n")") ==
        std::string("\xC3\xA9\xF0\x9F\x98\x80\n"));
  CHECK_FALSE(tep::decode_json_string(R"("\ud800")"));
  CHECK_FALSE(tep::decode_json_string(R"("\ude00")"));
  CHECK_FALSE(tep::decode_json_string("x"));
}

TEST_CASE("Integer-like keys are recognised as JavaScript orders them") {
  CHECK(tep::is_array_index_key("0"));
  CHECK(tep::is_array_index_key("4294967294"));
  CHECK_FALSE(tep::is_array_index_key("4294967295"));
  CHECK_FALSE(tep::is_array_index_key("01"));
  CHECK_FALSE(tep::is_array_index_key("-1"));
  CHECK_FALSE(tep::is_array_index_key("1.5"));
  CHECK_FALSE(tep::is_array_index_key(""));
}
