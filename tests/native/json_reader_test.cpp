#include "json_reader.h"

#include <catch2/catch.hpp>

namespace {

// Counts what it is told, to show that events reach a handler.
struct CountingHandler final : nlohmann::json_sax<nlohmann::json> {
  int values = 0;
  bool null() override { return ++values > 0; }
  bool boolean(bool) override { return ++values > 0; }
  bool number_integer(number_integer_t) override { return ++values > 0; }
  bool number_unsigned(number_unsigned_t) override { return ++values > 0; }
  bool number_float(number_float_t, const string_t&) override { return ++values > 0; }
  bool string(string_t&) override { return ++values > 0; }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }
};

}  // namespace

TEST_CASE("JSON text is read event by event into a handler") {
  CountingHandler handler;
  CHECK(tep::read_json_events(R"({"a":[1,-1,1.5,"s",true,null]})", handler));
  CHECK(handler.values == 6);
}

TEST_CASE("Malformed text fails a handler's read without throwing") {
  for (const char* text : {"", "{", "[1,]", "[1] [2]", "nul", "\"\\ud800\""}) {
    INFO(text);
    CountingHandler handler;
    CHECK_FALSE(tep::read_json_events(text, handler));
  }
}

TEST_CASE("Malformed text reads as a discarded value without throwing") {
  CHECK(tep::read_json_value(R"({"a":[1,2]})") == nlohmann::json::parse(R"({"a":[1,2]})"));
  for (const char* text : {"", "{", "[1,]", "{} {}", "\xC3"}) {
    INFO(text);
    CHECK(tep::read_json_value(text).is_discarded());
  }
}

TEST_CASE("Deep nesting reads as a value without recursion") {
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(tep::read_json_value(deep).is_array());
}

TEST_CASE("A value is read whole, a member given twice with its last value") {
  auto value = tep::read_json_value(R"({"a":[1,{"b":null}],"c":"x","a":[true,-2,1.5]})");
  REQUIRE(value.is_object());
  CHECK(value.size() == 2);
  CHECK(value["a"] == nlohmann::json::array({true, -2, 1.5}));
  CHECK(value["c"] == "x");
  CHECK(tep::read_json_value("[[],{},[[1]]]") == nlohmann::json::parse("[[],{},[[1]]]"));
  CHECK(tep::read_json_value(" 7 ") == 7);
}
