#include "submitter.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using tep::DropReason;
using tep::Submitter;

namespace {

const std::string kId = "00000000-0000-4000-8000-000000000001";
constexpr int64_t kNow = 1763000000123;

tep::SubmitterConfig web_config() {
  tep::SubmitterConfig config;
  config.client.app_name = "demo";
  config.client.app_version = "1.2.3";
  config.client.browser_name = "chromium";
  config.client.browser_version = "156";
  config.client.os_name = "linux";
  return config;
}

Submitter logged_out() {
  Submitter submitter(web_config());
  submitter.set_credentials({std::string("client-1"), std::nullopt});
  return submitter;
}

std::string with_payload_bytes(size_t bytes) {
  return R"({"name":"big","consentCategory":"NECESSARY","payload":{"blob":")" +
         std::string(bytes, 'x') + R"("}})";
}

}  // namespace

TEST_CASE("A well-formed event is enriched with the default headers in the collector's order") {
  auto s = logged_out().submit(
      R"({"name":"play","consentCategory":"PERFORMANCE","payload":{"a":1}})", kId, kNow);
  REQUIRE(s.event);
  CHECK(
      s.event->headers ==
      R"({"app-name":"demo","app-version":"1.2.3","browser-name":"chromium","browser-version":"156",)"
      R"("client-id":"client-1","consent-category":"PERFORMANCE","os-name":"linux",)"
      R"("requested-sent-timestamp":1763000000123})");
  CHECK(s.event->payload ==
        R"({"name":"play","payload":{"a":1},"ts":1763000000123,"uuid":")" + kId + "\"}");
  CHECK(s.event->name == "play");
  CHECK(s.event->created_ms == kNow);
}

TEST_CASE("A logged-in user's events carry the token as the authorization header") {
  Submitter submitter(web_config());
  submitter.set_credentials({std::string("client-1"), std::string("tok")});
  auto s =
      submitter.submit(R"({"name":"play","consentCategory":"NECESSARY","payload":{}})", kId, kNow);
  REQUIRE(s.event);
  CHECK(
      s.event->headers.find(R"("requested-sent-timestamp":1763000000123,"authorization":"tok"})") !=
      std::string::npos);
}

TEST_CASE("Caller headers replace defaults in place and new ones are appended") {
  auto s = logged_out().submit(
      R"({"name":"n","consentCategory":"NECESSARY","payload":{},"headers":{"app-name":"mine","x-n":7,"1":"first"}})",
      kId, kNow);
  REQUIRE(s.event);
  CHECK(
      s.event->headers ==
      R"({"1":"first","app-name":"mine","app-version":"1.2.3","browser-name":"chromium","browser-version":"156",)"
      R"("client-id":"client-1","consent-category":"NECESSARY","os-name":"linux",)"
      R"("requested-sent-timestamp":1763000000123,"x-n":7})");
}

TEST_CASE("A default header with no value is left out and the client id falls back") {
  Submitter submitter(tep::SubmitterConfig{});
  auto s =
      submitter.submit(R"({"name":"n","consentCategory":"NECESSARY","payload":{}})", kId, kNow);
  REQUIRE(s.event);
  CHECK(
      s.event->headers ==
      R"({"client-id":"clientIDMissing!","consent-category":"NECESSARY","requested-sent-timestamp":1763000000123})");
}

TEST_CASE("Optional platform headers appear when the config gives them") {
  auto config = web_config();
  config.client.os_version = "6.1";
  config.client.device_vendor = "acme";
  config.client.device_model = "x1";
  auto s = Submitter(config).submit(R"({"name":"n","consentCategory":"NECESSARY","payload":{}})",
                                    kId, kNow);
  REQUIRE(s.event);
  CHECK(
      s.event->headers.find(
          R"("consent-category":"NECESSARY","device-model":"x1","device-vendor":"acme","os-name":"linux","os-version":"6.1",)") !=
      std::string::npos);
}

TEST_CASE("The message body keeps extra fields and replaces ts and uuid in place") {
  auto s = logged_out().submit(
      R"({"uuid":"old","name":"n","consentCategory":"NECESSARY","group":"g","payload":{"x":1.5e-7},"ts":1,"version":2})",
      kId, kNow);
  REQUIRE(s.event);
  CHECK(s.event->payload ==
        R"({"uuid":")" + kId +
            R"(","name":"n","group":"g","payload":{"x":1.5e-7},"ts":1763000000123,"version":2})");
}

TEST_CASE("NECESSARY events pass even when every other category is blocked") {
  auto config = web_config();
  config.consent = {true, true};
  auto s = Submitter(config).submit(R"({"name":"n","consentCategory":"NECESSARY","payload":{}})",
                                    kId, kNow);
  CHECK(s.event);
}

TEST_CASE("Events of a blocked category are filtered and counted as consent-filtered") {
  auto config = web_config();
  config.consent = {true, false};
  Submitter submitter(config);
  auto blocked = submitter.submit(R"({"name":"perf","consentCategory":"PERFORMANCE","payload":{}})",
                                  kId, kNow);
  CHECK_FALSE(blocked.event);
  CHECK(blocked.reason == DropReason::kConsentFiltered);
  CHECK(blocked.name == "perf");
  CHECK(blocked.problem.rfind("[tep.event.consent_blocked]", 0) == 0);
  CHECK(submitter.submit(R"({"name":"t","consentCategory":"TARGETING","payload":{}})", kId, kNow)
            .event);
}

TEST_CASE("Consent can change at run time") {
  Submitter submitter(web_config());
  const char* event = R"({"name":"t","consentCategory":"TARGETING","payload":{}})";
  CHECK(submitter.submit(event, kId, kNow).event);
  submitter.set_consent({false, true});
  CHECK_FALSE(submitter.submit(event, kId, kNow).event);
  submitter.set_consent({false, false});
  CHECK(submitter.submit(event, kId, kNow).event);
}

TEST_CASE("A missing or unknown consent category fails closed") {
  auto missing = logged_out().submit(R"({"name":"n","payload":{}})", kId, kNow);
  CHECK_FALSE(missing.event);
  CHECK(missing.reason == DropReason::kConsentFiltered);
  CHECK(missing.problem.rfind("[tep.event.consent_category_missing]", 0) == 0);
  auto unknown =
      logged_out().submit(R"({"name":"n","consentCategory":"necessary","payload":{}})", kId, kNow);
  CHECK_FALSE(unknown.event);
  CHECK(unknown.reason == DropReason::kConsentFiltered);
  CHECK(unknown.problem.rfind("[tep.event.consent_category_unknown]", 0) == 0);
  auto not_a_string =
      logged_out().submit(R"({"name":"n","consentCategory":3,"payload":{}})", kId, kNow);
  CHECK_FALSE(not_a_string.event);
  CHECK(not_a_string.reason == DropReason::kConsentFiltered);
}

TEST_CASE("Caller headers may repeat the event's consent category but not change it") {
  Submitter submitter = logged_out();
  auto same = submitter.submit(
      R"({"name":"ad","consentCategory":"TARGETING","headers":{"consent-category":"TARGETING"}})",
      kId, kNow);
  CHECK(same.event);
  auto other = submitter.submit(
      R"({"name":"ad","consentCategory":"TARGETING","headers":{"consent-category":"NECESSARY"}})",
      kId, kNow);
  CHECK_FALSE(other.event);
  CHECK(other.reason == DropReason::kValidationFailed);
  CHECK(other.problem ==
        "[tep.event.consent_category_conflict] event 'ad' has a consent-category header that "
        "differs from its consentCategory");
}

TEST_CASE("A stored event is refused where its headers, size or consent forbid it") {
  Submitter submitter = logged_out();
  auto stored = [](std::string headers, std::string payload = "{}", int64_t created = kNow) {
    return tep::Event{kId, "ad", std::move(headers), std::move(payload), created, 0};
  };
  const std::string targeting = R"({"client-id":"c","consent-category":"TARGETING"})";
  CHECK_FALSE(submitter.refusal_of_stored(stored(targeting)));
  CHECK(submitter.refusal_of_stored(stored(R"({"client-id":"c"})")) ==
        DropReason::kValidationFailed);
  // Read as NECESSARY the quick way, TARGETING by a parser: refused.
  CHECK(submitter.refusal_of_stored(stored(R"({"a":{"consent-category":"NECESSARY"},)"
                                           R"("consent-category" :"TARGETING"})")) ==
        DropReason::kValidationFailed);
  CHECK(submitter.refusal_of_stored(stored(targeting, std::string(20480, 'x'))) ==
        DropReason::kValidationFailed);
  CHECK(submitter.refusal_of_stored(stored(targeting, "\"\u0001\"")) ==
        DropReason::kValidationFailed);
  // Blocked is no refusal: it waits in the queue. Purged is.
  tep::ConsentState consent;
  consent.targeting_blocked = true;
  submitter.set_consent(consent);
  CHECK_FALSE(submitter.refusal_of_stored(stored(targeting)));
  consent.targeting_purged_before_ms = kNow + 1;
  submitter.set_consent(consent);
  CHECK(submitter.refusal_of_stored(stored(targeting)) == DropReason::kConsentFiltered);
  CHECK_FALSE(submitter.refusal_of_stored(stored(targeting, "{}", kNow + 1)));
}

TEST_CASE("An event without a name is a validation failure") {
  for (const char* event : {R"({"consentCategory":"NECESSARY","payload":{}})",
                            R"({"name":"","consentCategory":"NECESSARY","payload":{}})",
                            R"({"name":42,"consentCategory":"NECESSARY","payload":{}})"}) {
    auto s = logged_out().submit(event, kId, kNow);
    CHECK_FALSE(s.event);
    CHECK(s.reason == DropReason::kValidationFailed);
    CHECK(s.name == "(unnamed)");
    CHECK(s.problem.rfind("[tep.event.name_missing]", 0) == 0);
  }
}

TEST_CASE("Something that is not a JSON object is a validation failure") {
  for (const char* event : {"", "null", "[]", "\"text\"", "{\"name\":", "{} {}", "{\"a\":1,}"}) {
    auto s = logged_out().submit(event, kId, kNow);
    CHECK_FALSE(s.event);
    CHECK(s.reason == DropReason::kValidationFailed);
    CHECK(s.problem.rfind("[tep.event.not_an_object]", 0) == 0);
  }
}

TEST_CASE("Strict mode requires a payload") {
  auto config = web_config();
  config.strict_mode = true;
  Submitter strict(config);
  for (const char* event : {R"({"name":"n","consentCategory":"NECESSARY"})",
                            R"({"name":"n","consentCategory":"NECESSARY","payload":null})",
                            R"({"name":"n","consentCategory":"NECESSARY","payload":""})"}) {
    auto s = strict.submit(event, kId, kNow);
    CHECK_FALSE(s.event);
    CHECK(s.reason == DropReason::kValidationFailed);
    CHECK(s.problem.rfind("[tep.event.payload_missing]", 0) == 0);
  }
  CHECK(logged_out().submit(R"({"name":"n","consentCategory":"NECESSARY"})", kId, kNow).event);
}

TEST_CASE("Headers that are not an object are a validation failure") {
  auto s = logged_out().submit(
      R"({"name":"n","consentCategory":"NECESSARY","payload":{},"headers":"x"})", kId, kNow);
  CHECK_FALSE(s.event);
  CHECK(s.reason == DropReason::kValidationFailed);
  CHECK(s.problem.rfind("[tep.event.headers_not_object]", 0) == 0);
}

TEST_CASE("An event of 20480 bytes or more is dropped and one byte less is kept") {
  auto submitter = logged_out();
  // Find the largest payload that is accepted, then check the boundary exactly.
  size_t low = 0, high = 20480;
  while (low + 1 < high) {
    size_t mid = (low + high) / 2;
    (submitter.submit(with_payload_bytes(mid), kId, kNow).event ? low : high) = mid;
  }
  auto kept = submitter.submit(with_payload_bytes(low), kId, kNow);
  REQUIRE(kept.event);
  nlohmann::json stored = {
      {"headers", nlohmann::json::parse(kept.event->headers)}, {"id", kId}, {"name", "big"}};
  // {headers,id,name} as JSON plus the payload, as the reference client measures.
  CHECK(stored.dump().size() + kept.event->payload.size() == tep::kMaxEventBytes - 1);
  auto dropped = submitter.submit(with_payload_bytes(low + 1), kId, kNow);
  CHECK_FALSE(dropped.event);
  CHECK(dropped.reason == DropReason::kValidationFailed);
  CHECK(dropped.problem.rfind("[tep.event.too_large]", 0) == 0);
}

TEST_CASE("Characters outside XML 1.0 are refused wherever they appear") {
  const char* refused[] = {
      R"({"name":"n","consentCategory":"NECESSARY","payload":{"s":"\ud800"}})",   // lone high
                                                                                  // surrogate
      R"({"name":"n","consentCategory":"NECESSARY","payload":{"s":"\udc00x"}})",  // lone low
                                                                                  // surrogate
      R"({"name":"n","consentCategory":"NECESSARY","payload":{"s":"\u0001"}})",   // control
                                                                                  // character
      R"({"name":"n","consentCategory":"NECESSARY","payload":{"s":"\b"}})",       // backspace
      R"({"name":"n","consentCategory":"NECESSARY","payload":{"s":"\f"}})",       // form feed
      "{\"name\":\"n\",\"consentCategory\":\"NECESSARY\",\"payload\":{\"s\":\"\xEF\xBF\xBE\"}}",  // U+FFFE
      "{\"name\":\"n\",\"consentCategory\":\"NECESSARY\",\"payload\":{\"s\":\"\xEF\xBF\xBF\"}}",  // U+FFFF
      R"({"name":"n","consentCategory":"NECESSARY","payload":{},"headers":{"h":"\u001f"}})",
      R"({"name":"n\u0007","consentCategory":"NECESSARY","payload":{}})",
      "{\"name\":\"n\",\"consentCategory\":\"NECESSARY\",\"payload\":{\"s\":\"\xC3\"}}",  // broken
                                                                                          // UTF-8
  };
  for (const char* event : refused) {
    auto s = logged_out().submit(event, kId, kNow);
    INFO(event);
    CHECK_FALSE(s.event);
    CHECK(s.reason == DropReason::kValidationFailed);
  }
  auto s = logged_out().submit(R"({"name":"n\u0007","consentCategory":"NECESSARY","payload":{}})",
                               kId, kNow);
  CHECK(s.problem.rfind("[tep.event.invalid_character]", 0) == 0);
}

TEST_CASE("Tabs, newlines, emoji and surrogate pairs are allowed") {
  auto s = logged_out().submit(
      "{\"name\":\"n\",\"consentCategory\":\"NECESSARY\",\"payload\":{\"s\":"
      "\"a\\tb\\nc\\r\\ud83d\\ude00 \xF0\x9F\x8E\xB5 \xE2\x82\xAC\"}}",
      kId, kNow);
  CHECK(s.event);
}

TEST_CASE("The monitoring event is NECESSARY and never carries authorization") {
  Submitter submitter(web_config());
  submitter.set_credentials({std::string("client-1"), std::string("secret")});
  auto event = submitter.monitoring_event(R"({"consentFilteredEvents":{"a":1}})", kId, kNow);
  CHECK(event.name == "tep-tl-monitoring");
  CHECK(event.headers.find("authorization") == std::string::npos);
  CHECK(event.headers.find(R"("client-id":"client-1","consent-category":"NECESSARY")") !=
        std::string::npos);
  CHECK(event.payload == R"({"consentFilteredEvents":{"a":1}})");
}

TEST_CASE("An event nested too deep is counted under its name") {
  std::string deep = R"({"name":"deep","consentCategory":"NECESSARY","payload":)" +
                     std::string(200, '[') + std::string(200, ']') + "}";
  auto s = logged_out().submit(deep, kId, kNow);
  CHECK_FALSE(s.event);
  CHECK(s.name == "deep");
  CHECK(s.problem.rfind("[tep.event.not_an_object]", 0) == 0);
}
