#include "producer_config.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

using tep::read_producer_config;

namespace {

// The defaults are defined once, in src/producer_config.cpp, and documented
// once, in the README's Config table: these tests hold the two together.

/// The README's Config table: field name → its "default" cell.
std::map<std::string, std::string> readme_config_defaults() {
  std::ifstream file(std::string(TEP_TEST_DATA_DIR) + "/../README.md");
  REQUIRE(file);
  std::map<std::string, std::string> defaults;
  std::string line;
  bool in_config = false;
  while (std::getline(file, line)) {
    if (line.rfind("### ", 0) == 0) in_config = line == "### Config";
    if (!in_config || line.rfind("| `", 0) != 0) continue;
    // | `name` ... | default | meaning |
    size_t name_end = line.find('`', 3);
    size_t default_start = line.find('|', 1) + 1;
    size_t default_end = line.find('|', default_start);
    std::string cell = line.substr(default_start, default_end - default_start);
    cell = cell.substr(cell.find_first_not_of(' '));
    cell = cell.substr(0, cell.find_last_not_of(' ') + 1);
    defaults[line.substr(3, name_end - 3)] = cell;
  }
  return defaults;
}

/// "30000 ms" → 30000, "5 MiB" → 5242880, "0 (never)" → 0, "1" → 1.
int64_t documented_number(const std::string& cell) {
  INFO("documented default: " << cell);
  REQUIRE(!cell.empty());
  REQUIRE(std::isdigit(static_cast<unsigned char>(cell[0])));
  int64_t value = std::stoll(cell);
  if (cell.find("MiB") != std::string::npos) value *= int64_t{1024} * 1024;
  return value;
}

void check_defaults(const tep::ProducerConfig& config) {
  auto documented = readme_config_defaults();
  CHECK(config.scheduler.batch_interval_ms ==
        documented_number(documented.at("eventBatchInterval")));
  CHECK(config.scheduler.max_in_flight ==
        static_cast<size_t>(documented_number(documented.at("maxInFlightBatches"))));
  CHECK(config.monitoring_interval_ms == documented_number(documented.at("monitoringInterval")));
  CHECK(static_cast<int64_t>(config.queue.max_disk_bytes) ==
        documented_number(documented.at("maxDiskUsageBytes")));
  CHECK(config.queue.ttl_ms == documented_number(documented.at("eventTtlMs")));
  CHECK(documented.at("strictMode") == "`false`");
  CHECK(documented.at("feralEventTypes") == "`[]`");
  // "the larger of 60000 ms and `eventBatchInterval`"
  const std::string& backoff = documented.at("maxBackoffMs");
  CHECK(backoff.find("`eventBatchInterval`") != std::string::npos);
  int64_t floor = documented_number(backoff.substr(backoff.find_first_of("0123456789")));
  CHECK(config.scheduler.backoff.max_delay_ms ==
        std::max(floor, config.scheduler.batch_interval_ms));
  CHECK_FALSE(config.submitter.strict_mode);
  CHECK_FALSE(config.submitter.consent.performance_blocked);
  CHECK_FALSE(config.submitter.consent.targeting_blocked);
  CHECK_FALSE(config.submitter.client.app_name);
  CHECK_FALSE(config.submitter.client.browser_name);
  CHECK(config.feral_event_types.empty());
}

}  // namespace

TEST_CASE("The README's Config table lists every field the core reads") {
  auto documented = readme_config_defaults();
  for (const char* field :
       {"appInfo", "platform", "blockedConsentCategories", "credentialsProvider", "tlConsumerUri",
        "tlPublicConsumerUri", "strictMode", "eventBatchInterval", "maxBackoffMs",
        "monitoringInterval", "feralEventTypes", "maxDiskUsageBytes", "maxInFlightBatches",
        "eventTtlMs"}) {
    INFO(field);
    CHECK(documented.count(field) == 1);
  }
}

TEST_CASE("A long batch interval raises the default backoff cap with it, as documented") {
  auto config = read_producer_config(R"({"eventBatchInterval": 600000})");
  REQUIRE(config);
  CHECK(config->scheduler.backoff.max_delay_ms == 600000);
}

TEST_CASE("An empty config gives every default") {
  auto config = read_producer_config("{}");
  REQUIRE(config);
  check_defaults(*config);
  check_defaults(tep::default_producer_config());
}

TEST_CASE("Every field of the config is read in TIDAL's names") {
  auto config = read_producer_config(R"({
    "appInfo": {"appName": "demo", "appVersion": "1.2.3"},
    "platform": {"browserName": "chromium", "browserVersion": "156", "osName": "linux",
                 "osVersion": "6.1", "deviceVendor": "acme", "deviceModel": "x1"},
    "blockedConsentCategories": {"NECESSARY": true, "PERFORMANCE": true, "TARGETING": false},
    "strictMode": true,
    "eventBatchInterval": 2000,
    "maxBackoffMs": 120000,
    "monitoringInterval": 90000,
    "maxDiskUsageBytes": 65536,
    "maxInFlightBatches": 4,
    "eventTtlMs": 86400000,
    "feralEventTypes": ["old_event", "older_event"]
  })");
  REQUIRE(config);
  const auto& client = config->submitter.client;
  CHECK(client.app_name == "demo");
  CHECK(client.app_version == "1.2.3");
  CHECK(client.browser_name == "chromium");
  CHECK(client.browser_version == "156");
  CHECK(client.os_name == "linux");
  CHECK(client.os_version == "6.1");
  CHECK(client.device_vendor == "acme");
  CHECK(client.device_model == "x1");
  CHECK(config->submitter.consent.performance_blocked);
  CHECK_FALSE(config->submitter.consent.targeting_blocked);
  CHECK(config->submitter.strict_mode);
  CHECK(config->scheduler.batch_interval_ms == 2000);
  CHECK(config->scheduler.backoff.max_delay_ms == 120000);
  CHECK(config->monitoring_interval_ms == 90000);
  CHECK(config->queue.max_disk_bytes == 65536);
  CHECK(config->scheduler.max_in_flight == 4);
  CHECK(config->queue.ttl_ms == 86400000);
  CHECK(config->feral_event_types == std::vector<std::string>{"old_event", "older_event"});
}

TEST_CASE("model and version, as TIDAL's README names them, are the device model and OS version") {
  auto config = read_producer_config(R"({"platform": {
    "browserName": "Ice Hippo", "browserVersion": "1.2.3", "deviceVendor": "Binocular",
    "model": "shyPhone", "osName": "Hov OS", "version": "4.5.6"}})");
  REQUIRE(config);
  CHECK(config->submitter.client.device_model == "shyPhone");
  CHECK(config->submitter.client.os_version == "4.5.6");
  CHECK(config->submitter.client.browser_version == "1.2.3");
}

TEST_CASE("The full names win over model and version when a platform gives both") {
  auto config = read_producer_config(R"({"platform": {
    "deviceModel": "x1", "model": "shyPhone", "osVersion": "6.1", "version": "4.5.6"}})");
  REQUIRE(config);
  CHECK(config->submitter.client.device_model == "x1");
  CHECK(config->submitter.client.os_version == "6.1");
}

TEST_CASE("An alias is read when the full name is there but not a string") {
  auto config = read_producer_config(R"({"platform": {
    "deviceModel": null, "model": "shyPhone", "osVersion": 6.1, "version": "6.1"}})");
  REQUIRE(config);
  CHECK(config->submitter.client.device_model == "shyPhone");
  CHECK(config->submitter.client.os_version == "6.1");
  auto neither = read_producer_config(R"({"platform": {"model": 7, "version": ["6"]}})");
  REQUIRE(neither);
  CHECK_FALSE(neither->submitter.client.device_model);
  CHECK_FALSE(neither->submitter.client.os_version);
}

TEST_CASE("Intervals round up and sizes and counts round down, as the page always did") {
  auto config = read_producer_config(
      R"({"eventBatchInterval": 1500.2, "monitoringInterval": 0.5, "maxDiskUsageBytes": 4096.9,
          "maxInFlightBatches": 2.7, "eventTtlMs": 999.9})");
  REQUIRE(config);
  CHECK(config->scheduler.batch_interval_ms == 1501);
  CHECK(config->monitoring_interval_ms == 1);
  CHECK(config->queue.max_disk_bytes == 4096);
  CHECK(config->scheduler.max_in_flight == 2);
  CHECK(config->queue.ttl_ms == 999);
}

TEST_CASE(
    "The backoff cap is maxBackoffMs, by default the larger of a minute and the batch interval") {
  auto cap_of = [](const char* json) {
    auto config = read_producer_config(json);
    REQUIRE(config);
    return config->scheduler.backoff.max_delay_ms;
  };
  CHECK(cap_of(R"({})") == 60000);
  CHECK(cap_of(R"({"eventBatchInterval": 1000})") == 60000);
  CHECK(cap_of(R"({"eventBatchInterval": 120000})") == 120000);
  CHECK(cap_of(R"({"maxBackoffMs": 5000.2, "eventBatchInterval": 120000})") == 5001);
  for (const char* wrong : {R"({"maxBackoffMs": "5000"})", R"({"maxBackoffMs": 0})",
                            R"({"maxBackoffMs": -1})", R"({"maxBackoffMs": 1e300})"}) {
    INFO(wrong);
    CHECK(cap_of(wrong) == 60000);
  }
}

TEST_CASE("Flags are read as JavaScript reads them") {
  auto truthy = read_producer_config(
      R"({"strictMode": "yes", "blockedConsentCategories": {"PERFORMANCE": 1, "TARGETING": {}}})");
  REQUIRE(truthy);
  CHECK(truthy->submitter.strict_mode);
  CHECK(truthy->submitter.consent.performance_blocked);
  CHECK(truthy->submitter.consent.targeting_blocked);
  auto falsy = read_producer_config(
      R"({"strictMode": "", "blockedConsentCategories": {"PERFORMANCE": 0, "TARGETING": null}})");
  REQUIRE(falsy);
  CHECK_FALSE(falsy->submitter.strict_mode);
  CHECK_FALSE(falsy->submitter.consent.performance_blocked);
  CHECK_FALSE(falsy->submitter.consent.targeting_blocked);
}

TEST_CASE("Fields of the wrong type or out of range keep their defaults") {
  auto config = read_producer_config(R"({
    "appInfo": "demo",
    "platform": {"browserName": 156, "osName": ["linux"]},
    "blockedConsentCategories": [true, true],
    "strictMode": null,
    "eventBatchInterval": "2000",
    "monitoringInterval": -5,
    "maxDiskUsageBytes": -1,
    "maxInFlightBatches": {"n": 4},
    "eventTtlMs": true,
    "feralEventTypes": "old_event"
  })");
  REQUIRE(config);
  check_defaults(*config);
  auto huge = read_producer_config(
      R"({"eventBatchInterval": 1e300, "maxDiskUsageBytes": 1e19, "eventTtlMs": 1e16})");
  REQUIRE(huge);
  check_defaults(*huge);
}

TEST_CASE("Numbers below their range keep their defaults, a queue of no bytes too") {
  auto config = read_producer_config(
      R"({"eventBatchInterval": 0, "maxInFlightBatches": -3, "eventTtlMs": -10, "maxDiskUsageBytes": 0})");
  REQUIRE(config);
  check_defaults(*config);
}

TEST_CASE("Only the strings of feralEventTypes are event names") {
  auto config = read_producer_config(R"({"feralEventTypes": ["a", 1, null, {"b": 1}, "c"]})");
  REQUIRE(config);
  CHECK(config->feral_event_types == std::vector<std::string>{"a", "c"});
}

TEST_CASE("Unknown fields are ignored") {
  auto config = read_producer_config(R"({"tlConsumerUri": "https://x", "future": {"a": [1]}})");
  REQUIRE(config);
  check_defaults(*config);
}

TEST_CASE("A config that is not a JSON object is refused") {
  for (const char* text : {"", "null", "[]", "\"config\"", "42", "{", "{\"a\":1,}", "{} {}"}) {
    INFO(text);
    CHECK_FALSE(read_producer_config(text));
  }
}
