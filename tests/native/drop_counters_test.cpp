#include "drop_counters.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

using tep::DropCounters;
using tep::DropReason;

TEST_CASE("The monitoring payload lists every reason and the names in byte order") {
  DropCounters counters;
  counters.add(DropReason::kValidationFailed, "b", 2);
  counters.add(DropReason::kValidationFailed, "a");
  counters.add(DropReason::kConsentFiltered, "ad");
  counters.add(DropReason::kConsentFiltered, "ad");
  counters.add(DropReason::kStoringFailed, "ignored", 0);
  CHECK(counters.to_json() == R"({"consentFilteredEvents":{"ad":2},"storingFailedEvents":{},)"
                              R"("validationFailedEvents":{"a":1,"b":2}})");
  CHECK(counters.total(DropReason::kValidationFailed) == 3);
}

TEST_CASE("Counters read back what they wrote") {
  DropCounters counters;
  counters.add(DropReason::kStoringFailed, "x\"y\n", 18446744073709551615ull);
  counters.add(DropReason::kConsentFiltered, "\xC3\xA9");
  DropCounters read;
  REQUIRE(read.from_json(counters.to_json()));
  CHECK(read.to_json() == counters.to_json());
}

TEST_CASE("Anything but what the counters write is refused and leaves them empty") {
  for (const char* text :
       {"", "[]", "{\"other\":{}}", "{\"storingFailedEvents\":[]}",
        "{\"storingFailedEvents\":{\"a\":-1}}", "{\"storingFailedEvents\":{\"a\":1.5}}",
        "{\"storingFailedEvents\":{\"a\":\"1\"}}", "{\"storingFailedEvents\":{\"a\":1}"}) {
    INFO(text);
    DropCounters counters;
    counters.add(DropReason::kStoringFailed, "before");
    CHECK_FALSE(counters.from_json(text));
    CHECK(counters.empty());
  }
}

TEST_CASE("Subtracting a confirmed report keeps what was counted meanwhile") {
  DropCounters counters;
  counters.add(DropReason::kValidationFailed, "a", 3);
  DropCounters reported = counters;
  counters.add(DropReason::kValidationFailed, "a", 2);
  counters.add(DropReason::kValidationFailed, "b");
  counters.subtract(reported);
  CHECK(counters.to_json() == R"({"consentFilteredEvents":{},"storingFailedEvents":{},)"
                              R"("validationFailedEvents":{"a":2,"b":1}})");
}

TEST_CASE("Merging adds every count of the other counters to these") {
  DropCounters mine;
  mine.add(DropReason::kStoringFailed, "play", 2);
  DropCounters adopted;
  adopted.add(DropReason::kStoringFailed, "play", 3);
  adopted.add(DropReason::kConsentFiltered, "ad", 1);
  mine.merge(adopted);
  CHECK(mine.to_json() == R"({"consentFilteredEvents":{"ad":1},"storingFailedEvents":{"play":5},)"
                          R"("validationFailedEvents":{}})");
}

TEST_CASE("Names beyond the cap are counted together under (other), every event still counted") {
  DropCounters counters;
  constexpr size_t kNames = 1000;
  for (size_t i = 0; i < kNames; ++i) {
    counters.add(DropReason::kValidationFailed, "event-" + std::to_string(i));
  }
  nlohmann::json names = counters.to_json_value()["validationFailedEvents"];
  CHECK(names.size() == DropCounters::kMaxNames + 1);
  CHECK(names.value("(other)", uint64_t{0}) == kNames - DropCounters::kMaxNames);
  CHECK(names.contains("event-0"));
  CHECK_FALSE(names.contains("event-999"));
  CHECK(counters.total(DropReason::kValidationFailed) == kNames);
}

TEST_CASE("The cap on names holds across every reason together") {
  DropCounters counters;
  for (size_t i = 0; i < DropCounters::kMaxNames; ++i) {
    counters.add(DropReason::kConsentFiltered, "ad-" + std::to_string(i));
  }
  counters.add(DropReason::kStoringFailed, "play", 3);
  counters.add(DropReason::kConsentFiltered, "ad-0");  // already counted: keeps its own count
  nlohmann::json json = counters.to_json_value();
  CHECK(json["storingFailedEvents"] == nlohmann::json{{"(other)", 3}});
  CHECK(json["consentFilteredEvents"]["ad-0"] == 2);
}

TEST_CASE("A name too long to report is counted under (other)") {
  DropCounters counters;
  counters.add(DropReason::kValidationFailed, std::string(10000, 'x'));
  // Short in bytes, but six times as long once escaped for JSON.
  counters.add(DropReason::kValidationFailed, std::string(100, '\x01'));
  counters.add(DropReason::kValidationFailed, "ok");
  CHECK(counters.to_json() == R"({"consentFilteredEvents":{},"storingFailedEvents":{},)"
                              R"json("validationFailedEvents":{"(other)":2,"ok":1}})json");
}

TEST_CASE("Counters read back with more names than the cap are folded as when counted") {
  std::string json = R"({"storingFailedEvents":{)";
  for (size_t i = 0; i < 2 * DropCounters::kMaxNames; ++i) {
    json += (i ? ",\"" : "\"") + std::to_string(1000 + i) + "\":1";
  }
  json += "}}";
  DropCounters counters;
  REQUIRE(counters.from_json(json));
  nlohmann::json names = counters.to_json_value()["storingFailedEvents"];
  CHECK(names.size() == DropCounters::kMaxNames + 1);
  CHECK(counters.total(DropReason::kStoringFailed) == 2 * DropCounters::kMaxNames);
}
