#include "stats_json.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

TEST_CASE("Stats carry every field the worker reads, and no last error as null") {
  tep::ProducerStats stats;
  stats.queued = 3;
  stats.queued_bytes = 4096;
  stats.held_by_consent = 1;
  stats.in_flight_batches = 1;
  stats.in_flight_events = 2;
  stats.delivered = 10;
  stats.accepted = 13;
  stats.outage = true;
  stats.online = false;
  stats.retry_at_ms = 1763000000123;
  stats.consecutive_failures = 4;
  stats.clock_offset_ms = -2500;
  stats.counters.add(tep::DropReason::kConsentFiltered, "ad", 2);
  auto json = nlohmann::json::parse(tep::stats_json(stats));
  CHECK(json == nlohmann::json::parse(R"({
    "queued": 3, "queuedBytes": 4096, "heldByConsent": 1, "inFlightBatches": 1, "inFlightEvents": 2,
    "delivered": 10, "accepted": 13, "outage": true, "online": false,
    "retryAt": 1763000000123, "consecutiveFailures": 4, "clockOffsetMs": -2500,
    "counters": {"consentFilteredEvents": {"ad": 2}, "storingFailedEvents": {},
                 "validationFailedEvents": {}},
    "lastError": null})"));
}

TEST_CASE("The last error is a string when there was one") {
  tep::ProducerStats stats;
  stats.last_error = "[tep.send.network] \"quoted\"";
  auto json = nlohmann::json::parse(tep::stats_json(stats));
  CHECK(json["lastError"] == "[tep.send.network] \"quoted\"");
}

TEST_CASE("The restore summary names what restore found") {
  // In the order of its fields: restored, corrupt records, unreadable files,
  // expired, feral, purged, outage. Each count differs, so a field written
  // under another's name shows.
  const tep::RestoreSummary summary{7, 1, 2, 3, 4, 5, true};
  CHECK(nlohmann::json::parse(tep::restore_summary_json(summary)) ==
        nlohmann::json::parse(R"({"restored": 7, "corruptRecords": 1, "unreadableFiles": 2,
                                  "expired": 3, "feral": 4, "purged": 5, "outage": true})"));
}

TEST_CASE("The adoption report names what adoption found, the files to keep and those it changed") {
  // In the order of its fields: taken, remaining, unreadable files, damaged
  // records, expired, the files to keep, the files changed.
  const std::vector<std::string> kept = {"seg-0000000000000002.log"};
  const std::vector<std::string> changed = {"counters.json", "seg-0000000000000001.settle"};
  const tep::AdoptReport report{5, 4, 1, 2, 3, kept, changed};
  CHECK(nlohmann::json::parse(tep::adopt_report_json(report)) ==
        nlohmann::json::parse(R"({"taken": 5, "remaining": 4, "unreadableFiles": 1,
                                  "damagedRecords": 2, "expired": 3,
                                  "keptFiles": ["seg-0000000000000002.log"],
                                  "changedFiles": ["counters.json",
                                                   "seg-0000000000000001.settle"]})"));
}
