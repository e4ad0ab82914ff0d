#include "sent_event_reader.h"

#include <catch2/catch.hpp>

using tep::read_sent_event;

namespace {

constexpr int64_t kNow = 1763000000123;
const std::string kId = "00000000-0000-4000-8000-000000000001";

std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

}  // namespace

TEST_CASE("The parts the submitter judges are read from the event") {
  auto event = read_sent_event(
      R"({"name":"play","consentCategory":"PERFORMANCE","payload":{"a":1},"headers":{"h":"v"}})",
      kId, kNow);
  REQUIRE(event.readable);
  CHECK(event.name == "play");
  CHECK(event.consent_category == "PERFORMANCE");
  CHECK(event.payload_truthy);
  CHECK(event.headers == R"({"h":"v"})");
}

TEST_CASE("The body is the event without consentCategory, with ts and uuid at the end") {
  auto event = read_sent_event(
      R"({"name":"play","consentCategory":{"odd":["but",{"skipped":1}]},"group":"g","payload":{}})",
      kId, kNow);
  REQUIRE(event.readable);
  CHECK(event.message_body ==
        R"({"name":"play","group":"g","payload":{},"ts":1763000000123,"uuid":")" + kId + "\"}");
}

TEST_CASE("ts and uuid the event already had are replaced where they stand") {
  auto event = read_sent_event(R"({"uuid":"old","name":"n","ts":1,"v":2})", kId, kNow);
  REQUIRE(event.readable);
  CHECK(event.message_body == R"({"uuid":")" + kId + R"(","name":"n","ts":1763000000123,"v":2})");
}

TEST_CASE("Members that are not strings read as missing") {
  auto event = read_sent_event(R"({"name":42,"consentCategory":null,"payload":0})", kId, kNow);
  REQUIRE(event.readable);
  CHECK_FALSE(event.name);
  CHECK_FALSE(event.consent_category);
  CHECK_FALSE(event.headers);
}

TEST_CASE("The payload is truthy or not as JavaScript sees it") {
  for (const char* falsy : {"null", "false", "0", "-0", "0.0", "\"\""}) {
    INFO(falsy);
    auto event = read_sent_event(std::string(R"({"payload":)") + falsy + "}", kId, kNow);
    REQUIRE(event.readable);
    CHECK_FALSE(event.payload_truthy);
  }
  for (const char* truthy : {"true", "1", "-0.5", "\"0\"", "{}", "[]"}) {
    INFO(truthy);
    auto event = read_sent_event(std::string(R"({"payload":)") + truthy + "}", kId, kNow);
    REQUIRE(event.readable);
    CHECK(event.payload_truthy);
  }
}

TEST_CASE("A member given twice counts with its last value, as in JavaScript") {
  auto event = read_sent_event(
      R"({"name":"first","consentCategory":"NECESSARY","name":"last","consentCategory":"TARGETING"})",
      kId, kNow);
  REQUIRE(event.readable);
  CHECK(event.name == "last");
  CHECK(event.consent_category == "TARGETING");
  CHECK(event.message_body == R"({"name":"last","ts":1763000000123,"uuid":")" + kId + "\"}");
}

TEST_CASE("Headers of any type are passed on as JSON text for the submitter to judge") {
  CHECK(read_sent_event(R"({"headers":"x"})", kId, kNow).headers == R"("x")");
  CHECK(read_sent_event(R"({"headers":[1, 2]})", kId, kNow).headers == "[1,2]");
  CHECK(read_sent_event(R"({"headers":{"b":1,"0":2}})", kId, kNow).headers == R"({"0":2,"b":1})");
}

TEST_CASE("Only a JSON object is an event") {
  for (const char* text : {"", "null", "[]", "\"text\"", "1", "{\"name\":", "{} {}", "{\"a\":1,}",
                           "{\"a\":\"\xC3\"}"}) {
    INFO(text);
    CHECK_FALSE(read_sent_event(text, kId, kNow).readable);
  }
}

TEST_CASE("Nesting up to the limit is read, deeper nesting is refused") {
  // The event object holds its members one level down.
  auto at_limit = read_sent_event(R"({"p":)" + nested(tep::kMaxEventNesting - 1) + "}", kId, kNow);
  CHECK(at_limit.readable);
  auto empty_at_limit =
      read_sent_event(R"({"p":)" + nested(tep::kMaxEventNesting) + "}", kId, kNow);
  CHECK(empty_at_limit.readable);
  auto deeper = read_sent_event(R"({"p":)" + std::string(tep::kMaxEventNesting, '[') + "1" +
                                    std::string(tep::kMaxEventNesting, ']') + "}",
                                kId, kNow);
  CHECK_FALSE(deeper.readable);
  auto hostile = read_sent_event(R"({"p":)" + nested(1000000) + "}", kId, kNow);
  CHECK_FALSE(hostile.readable);
}

TEST_CASE("The name read before the event turned out unreadable is kept for the counters") {
  auto event = read_sent_event(R"({"name":"deep","payload":)" + nested(500) + "}", kId, kNow);
  CHECK_FALSE(event.readable);
  CHECK(event.name == "deep");
}

TEST_CASE("A lone surrogate is read as a character outside XML 1.0 of the same length") {
  auto event = read_sent_event(
      R"({"name":"s","consentCategory":"NECESSARY","payload":{"s":"a\ud800b\uDC00","\udbff":1}})",
      kId, kNow);
  REQUIRE(event.readable);
  CHECK(event.message_body == R"({"name":"s","payload":{"s":"a\u0000b\u0000","\u0000":1},)"
                              R"("ts":1763000000123,"uuid":")" +
                                  kId + "\"}");
}

TEST_CASE("A surrogate pair, escaped or not, is one character") {
  auto event = read_sent_event(
      "{\"payload\":[\"\\ud83d\\ude00\",\"\xF0\x9F\x98\x80\",\"\\\\ud800\"]}", kId, kNow);
  REQUIRE(event.readable);
  CHECK(event.message_body.find("[\"\xF0\x9F\x98\x80\",\"\xF0\x9F\x98\x80\",\"\\\\ud800\"]") !=
        std::string::npos);
}

TEST_CASE("A name, consent category or top-level key with a lone surrogate reads as missing") {
  auto name = read_sent_event(R"({"name":"n\ud800","consentCategory":"x\udc00"})", kId, kNow);
  REQUIRE(name.readable);
  CHECK_FALSE(name.name);
  CHECK_FALSE(name.consent_category);
  CHECK_FALSE(read_sent_event(R"({"name":"n","k\ud800":1})", kId, kNow).readable);
}
