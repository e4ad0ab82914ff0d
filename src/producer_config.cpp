#include "producer_config.h"

#include <algorithm>
#include <cmath>

#include "json_reader.h"

namespace tep {
namespace {

// eventBatchInterval: the spec's DELAY, the longest an event waits to be sent.
constexpr int64_t kDefaultBatchIntervalMs = 30000;
// maxBackoffMs: at least 60 s, so a dead collector sees about one attempt a
// minute from each client however short the batch interval; a longer batch
// interval raises it, so a failing collector is never tried more often than
// a healthy one.
constexpr int64_t kMinDefaultMaxBackoffMs = 60000;
// monitoringInterval: the spec reports the counters every 60 s.
constexpr int64_t kDefaultMonitoringIntervalMs = 60000;
// maxDiskUsageBytes: 5 MiB, a tenth of the smallest common per-origin quota,
// and ~10k typical events.
constexpr int64_t kDefaultMaxDiskBytes = int64_t{5} * 1024 * 1024;
// maxInFlightBatches: one request at a time keeps delivery in order.
constexpr int64_t kDefaultMaxInFlight = 1;
// eventTtlMs: 0, events never expire, as in the spec.
constexpr int64_t kDefaultTtlMs = 0;

// 2^53: beyond it a double no longer holds every whole number, and a time
// span that large (285,000 years) could overflow when added to a time.
constexpr double kLargestWholeNumber = 9007199254740992.0;

using nlohmann::json;

// The member `key` of `object`, or null when there is none.
const json& member(const json& object, const char* key) {
  static const json kAbsent;
  if (!object.is_object()) return kAbsent;
  auto found = object.find(key);
  return found == object.end() ? kAbsent : *found;
}

std::optional<std::string> text(const json& value) {
  if (!value.is_string()) return std::nullopt;
  return value.get<std::string>();
}

// The member `name` of `object` as a string or, failing that, the member
// `alias`: a field that has two names.
std::optional<std::string> text_or_alias(const json& object, const char* name, const char* alias) {
  if (auto value = text(member(object, name))) return value;
  return text(member(object, alias));
}

// !!value in JavaScript, which is how the worker reads these flags when they
// change at run time.
bool truthy(const json& value) {
  switch (value.type()) {
    case json::value_t::boolean:
      return value.get<bool>();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return value.get<double>() != 0;
    case json::value_t::string:
      return !value.get_ref<const std::string&>().empty();
    case json::value_t::object:
    case json::value_t::array:
    case json::value_t::binary:
      return true;
    case json::value_t::null:
    case json::value_t::discarded:
      break;
  }
  return false;
}

// A whole number of at least `minimum` from a number rounded with `round`
// (std::ceil or std::floor), if it is one within 2^53; nullopt otherwise.
std::optional<int64_t> whole_number(const json& value, double (*round)(double), int64_t minimum) {
  if (!value.is_number()) return std::nullopt;
  double rounded = round(value.get<double>());
  if (!(rounded >= static_cast<double>(minimum) && rounded <= kLargestWholeNumber)) {
    return std::nullopt;
  }
  return static_cast<int64_t>(rounded);
}

}  // namespace

ProducerConfig default_producer_config() { return *read_producer_config("{}"); }

std::optional<ProducerConfig> read_producer_config(std::string_view json_text) {
  json given = read_json_value(json_text);
  if (!given.is_object()) return std::nullopt;
  ProducerConfig config;

  const json& app = member(given, "appInfo");
  const json& platform = member(given, "platform");
  ClientInfo& client = config.submitter.client;
  client.app_name = text(member(app, "appName"));
  client.app_version = text(member(app, "appVersion"));
  client.browser_name = text(member(platform, "browserName"));
  client.browser_version = text(member(platform, "browserVersion"));
  client.os_name = text(member(platform, "osName"));
  // TIDAL's README names the OS version `version` and the device model
  // `model`; the full names, which can't be mistaken, win when both are given.
  client.os_version = text_or_alias(platform, "osVersion", "version");
  client.device_vendor = text(member(platform, "deviceVendor"));
  client.device_model = text_or_alias(platform, "deviceModel", "model");

  const json& blocked = member(given, "blockedConsentCategories");
  config.submitter.consent.performance_blocked = truthy(member(blocked, "PERFORMANCE"));
  config.submitter.consent.targeting_blocked = truthy(member(blocked, "TARGETING"));
  config.submitter.strict_mode = truthy(member(given, "strictMode"));

  // Intervals round up and sizes and counts down, as the page always rounded them.
  config.scheduler.batch_interval_ms =
      whole_number(member(given, "eventBatchInterval"), std::ceil, 1)
          .value_or(kDefaultBatchIntervalMs);
  config.scheduler.backoff.max_delay_ms =
      whole_number(member(given, "maxBackoffMs"), std::ceil, 1)
          .value_or(std::max(kMinDefaultMaxBackoffMs, config.scheduler.batch_interval_ms));
  config.monitoring_interval_ms = whole_number(member(given, "monitoringInterval"), std::ceil, 1)
                                      .value_or(kDefaultMonitoringIntervalMs);
  config.queue.max_disk_bytes =
      static_cast<uint64_t>(whole_number(member(given, "maxDiskUsageBytes"), std::floor, 0)
                                .value_or(kDefaultMaxDiskBytes));
  config.scheduler.max_in_flight =
      static_cast<size_t>(whole_number(member(given, "maxInFlightBatches"), std::floor, 1)
                              .value_or(kDefaultMaxInFlight));
  config.queue.ttl_ms =
      whole_number(member(given, "eventTtlMs"), std::floor, 0).value_or(kDefaultTtlMs);

  const json& feral = member(given, "feralEventTypes");
  if (feral.is_array()) {
    for (const json& name : feral) {
      if (name.is_string()) config.feral_event_types.push_back(name.get<std::string>());
    }
  }
  return config;
}

}  // namespace tep
