#include "stringify_writer.h"

#include <catch2/catch.hpp>

#include "json_reader.h"

namespace {

// The JSON text as JSON.stringify(JSON.parse(text)) writes it (numbers aside,
// which keep their text); empty if `text` is not JSON.
std::string restringify(std::string_view text) {
  std::string out;
  tep::StringifyWriter writer(out);
  return tep::read_json_events(text, writer) ? out : std::string();
}

}  // namespace

TEST_CASE("Strings are escaped exactly as JSON.stringify escapes them") {
  // JSON.stringify("\u0000\u0007\b\f\n\r\t\u001f\u007f\u2028\"\\/é😀") in Node.
  std::string text("\x00\x07\b\f\n\r\t\x1f\x7f\xE2\x80\xA8\"\\/\xC3\xA9\xF0\x9F\x98\x80", 21);
  CHECK(
      tep::stringify_string(text) ==
      "\"\\u0000\\u0007\\b\\f\\n\\r\\t\\u001f\x7f\xE2\x80\xA8\\\"\\\\/\xC3\xA9\xF0\x9F\x98\x80\"");
}

TEST_CASE("Escapes that JSON.stringify would not write are written as it would") {
  CHECK(restringify(R"(["\u0041\/\u00e9\ud83d\ude00\u000a"])") ==
        "[\"A/\xC3\xA9\xF0\x9F\x98\x80\\n\"]");
}

TEST_CASE("Whitespace between tokens is dropped") {
  CHECK(restringify(" { \"a\" : [ 1 , true , null ] ,\n\"b\":{ } } ") ==
        R"({"a":[1,true,null],"b":{}})");
}

TEST_CASE("Numbers keep the text they were written in") {
  CHECK(restringify("[0.1,1e+21,1e-7,5e-324,1.7976931348623157e+308,1.50e+3]") ==
        "[0.1,1e+21,1e-7,5e-324,1.7976931348623157e+308,1.50e+3]");
}

TEST_CASE("Integers of any size come back with the same digits") {
  CHECK(restringify("[0,-1,9007199254740993,9223372036854776000,18446744073709551615]") ==
        "[0,-1,9007199254740993,9223372036854776000,18446744073709551615]");
  CHECK(restringify("[18446744073709552000,-9223372036854776000,123456789012345678901234567890]") ==
        "[18446744073709552000,-9223372036854776000,123456789012345678901234567890]");
}

TEST_CASE("Negative zero is written as JSON.stringify writes it") {
  CHECK(restringify("[-0]") == "[0]");
}

TEST_CASE("Array-index keys come first in ascending order, then the rest in order") {
  // JSON.stringify({a: 1, 1: 2, b: 3, 0: 4}) is {"0":4,"1":2,"a":1,"b":3}.
  CHECK(restringify(R"({"a":1,"1":2,"b":3,"0":4})") == R"({"0":4,"1":2,"a":1,"b":3})");
  CHECK(restringify(R"({"10":0,"9":0,"4294967295":0,"4294967294":0,"01":0,"-1":0})") ==
        R"({"9":0,"10":0,"4294967294":0,"4294967295":0,"01":0,"-1":0})");
}

TEST_CASE("A key given twice keeps its first place and takes its last value") {
  // JSON.stringify(JSON.parse('{"b":1,"a":2,"b":3}')) is {"b":3,"a":2}.
  CHECK(restringify(R"({"b":1,"a":2,"b":3})") == R"({"b":3,"a":2})");
  CHECK(restringify(R"({"x":{"k":1,"k":[{"z":1,"1":2}]},"x":{"2":0,"k":2,"k":3}})") ==
        R"({"x":{"2":0,"k":3}})");
}

TEST_CASE("Nested objects are put in order on their own") {
  CHECK(restringify(R"([{"b":0,"0":{"y":1,"1":1}},{"a":1}])") ==
        R"([{"0":{"1":1,"y":1},"b":0},{"a":1}])");
}

TEST_CASE("Objects and arrays written by hand get their separators") {
  std::string out;
  tep::StringifyWriter writer(out);
  writer.open_object();
  writer.write_key("list");
  writer.open_array();
  writer.write_integer(-5);
  writer.write_unsigned(18446744073709551615ull);
  writer.write_bool(false);
  writer.write_null();
  writer.open_object();
  writer.close_object();
  writer.write_number_text("1e-7");
  writer.close_array();
  writer.write_key("text");
  writer.write_string("a\"b");
  writer.close_object();
  CHECK(out == R"({"list":[-5,18446744073709551615,false,null,{},1e-7],"text":"a\"b"})");
}

TEST_CASE("A spread object's members join the open object as {...a, ...b} does") {
  std::string out;
  tep::StringifyWriter writer(out);
  writer.open_object();
  writer.write_key("app-name");
  writer.write_string("demo");
  writer.write_key("client-id");
  writer.write_string("c");
  REQUIRE(writer.spread(R"({"x-n":7,"app-name":{"deep":[1]},"5":"five"})"));
  writer.close_object();
  CHECK(out == R"({"5":"five","app-name":{"deep":[1]},"client-id":"c","x-n":7})");
}

TEST_CASE("Only a JSON object can be spread") {
  for (const char* text : {"", "null", "[]", "\"x\"", "1", "{", "{\"a\":1,}", "{} {}"}) {
    INFO(text);
    std::string out;
    tep::StringifyWriter writer(out);
    writer.open_object();
    CHECK_FALSE(writer.spread(text));
  }
}

TEST_CASE("Text that is not JSON is refused") {
  for (const char* text : {"", "{", "{\"a\"}", "{\"a\":01}", "[tru]", "{\"a\":\"\n\"}", "[1] x",
                           "[\"\\x\"]", "[-]", "[\"\\ud800\"]", "[\"\xC3\"]", "[1e400]"}) {
    INFO(text);
    CHECK(restringify(text).empty());
  }
}

TEST_CASE("Nesting is read without recursion, however deep") {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(restringify(deep) == deep);
}

TEST_CASE("A value the core built is written as JSON.stringify writes it") {
  nlohmann::json value = {{"z", {1, -2, "\n"}}, {"a", {{"t", true}, {"n", nullptr}}}, {"10", 0u}};
  // std::map orders the keys by bytes; the writer puts them in JavaScript's order.
  CHECK(tep::stringify_value(value) == R"({"10":0,"a":{"n":null,"t":true},"z":[1,-2,"\n"]})");
}

TEST_CASE("A floating-point number, which the core never builds, is written as null") {
  CHECK(tep::stringify_value(nlohmann::json::array({0.5})) == "[null]");
}

TEST_CASE("Bytes that are not UTF-8 are written as they are") {
  CHECK(tep::stringify_value(nlohmann::json{{"name", "a\xC3"}}) == "{\"name\":\"a\xC3\"}");
}
