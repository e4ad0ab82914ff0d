#include "drop_counters.h"

#include <catch2/catch.hpp>

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
