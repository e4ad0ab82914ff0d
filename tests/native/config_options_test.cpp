#include "config_options.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "json_reader.h"
#include "producer_config.h"

using tep::ConfigNumber;
using tep::ProducerConfig;

namespace {

/// tests/native/config_boundaries.json, which the page's test reads too.
nlohmann::json boundary_cases() {
  std::ifstream file(std::string(TEP_TEST_DATA_DIR) + "/native/config_boundaries.json");
  REQUIRE(file);
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  nlohmann::json cases = tep::read_json_value(text);
  REQUIRE(cases.is_object());
  return cases.at("cases");
}

/// `given`, a value as JavaScript source, as the page passes it to the core:
/// JSON carries NaN and the infinities as null.
std::string as_sent_by_the_page(const std::string& given) {
  if (given == "NaN" || given == "Infinity" || given == "-Infinity") return "null";
  return given;
}

/// Where the producer's config keeps each number.
const std::map<std::string, std::function<int64_t(const ProducerConfig&)>>& kept_value() {
  static const std::map<std::string, std::function<int64_t(const ProducerConfig&)>> where = {
      {"eventBatchInterval", [](const ProducerConfig& c) { return c.scheduler.batch_interval_ms; }},
      {"maxBackoffMs", [](const ProducerConfig& c) { return c.scheduler.backoff.max_delay_ms; }},
      {"monitoringInterval", [](const ProducerConfig& c) { return c.monitoring_interval_ms; }},
      {"maxDiskUsageBytes",
       [](const ProducerConfig& c) { return static_cast<int64_t>(c.queue.max_disk_bytes); }},
      {"maxInFlightBatches",
       [](const ProducerConfig& c) { return static_cast<int64_t>(c.scheduler.max_in_flight); }},
      {"eventTtlMs", [](const ProducerConfig& c) { return c.queue.ttl_ms; }},
  };
  return where;
}

}  // namespace

TEST_CASE("Every number of the config has its boundary values listed, and only those") {
  nlohmann::json cases = boundary_cases();
  CHECK(cases.size() == std::size(tep::kConfigNumberOptions));
  for (const auto& option : tep::kConfigNumberOptions) {
    INFO(option.field);
    CHECK(cases.contains(std::string(option.field)));
    CHECK(kept_value().count(std::string(option.field)) == 1);
  }
}

TEST_CASE("The core takes and refuses the same boundary values as the page") {
  nlohmann::json cases = boundary_cases();
  size_t checked = 0;
  for (const auto& [field, values] : cases.items()) {
    for (const auto& [given, uses] : values.items()) {
      INFO(field << ": " << given);
      auto config =
          tep::read_producer_config("{\"" + field + "\": " + as_sent_by_the_page(given) + "}");
      REQUIRE(config);
      auto defaults = tep::read_producer_config("{}");
      int64_t kept = kept_value().at(field)(*config);
      if (uses.is_null()) {
        CHECK(kept == kept_value().at(field)(*defaults));
      } else {
        CHECK(kept == uses.get<int64_t>());
      }
      ++checked;
    }
  }
  CHECK(checked == cases.size() * cases.begin()->size());
  CHECK(checked >= 100);
}

TEST_CASE("A config that leaves a number out gets the table's default") {
  auto config = tep::read_producer_config("{}");
  REQUIRE(config);
  for (const auto& option : tep::kConfigNumberOptions) {
    INFO(option.field);
    CHECK(kept_value().at(std::string(option.field))(*config) == option.default_value);
  }
}

TEST_CASE("A fraction rounds the way its option says before the range is checked") {
  const auto& batch_interval = tep::config_number_option(ConfigNumber::eventBatchInterval);
  const auto& in_flight = tep::config_number_option(ConfigNumber::maxInFlightBatches);
  CHECK(tep::accepted_config_number(batch_interval, 0.4) == 1);
  CHECK_FALSE(tep::accepted_config_number(in_flight, 0.4));
  CHECK(tep::accepted_config_number(in_flight, 1.9) == 1);
  CHECK_FALSE(tep::accepted_config_number(in_flight, nlohmann::json(std::nan(""))));
}
