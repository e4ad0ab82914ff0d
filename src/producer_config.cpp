#include "producer_config.h"

#include <algorithm>
#include <string>

#include "config_options.h"
#include "json_reader.h"

namespace tep {
namespace {

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

// The number `field` of `given` if it is in its range, rounded; its default otherwise.
int64_t config_number(const json& given, ConfigNumber field) {
  const ConfigNumberOption& option = config_number_option(field);
  return accepted_config_number(option, member(given, std::string(option.field).c_str()))
      .value_or(option.default_value);
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

  config.scheduler.batch_interval_ms = config_number(given, ConfigNumber::eventBatchInterval);
  // The backoff cap's default is never below the batch interval (config_options.def).
  const ConfigNumberOption& backoff = config_number_option(ConfigNumber::maxBackoffMs);
  config.scheduler.backoff.max_delay_ms =
      accepted_config_number(backoff, member(given, "maxBackoffMs"))
          .value_or(std::max(backoff.default_value, config.scheduler.batch_interval_ms));
  config.monitoring_interval_ms = config_number(given, ConfigNumber::monitoringInterval);
  config.queue.max_disk_bytes =
      static_cast<uint64_t>(config_number(given, ConfigNumber::maxDiskUsageBytes));
  config.scheduler.max_in_flight =
      static_cast<uint64_t>(config_number(given, ConfigNumber::maxInFlightBatches));
  config.queue.ttl_ms = config_number(given, ConfigNumber::eventTtlMs);

  const json& feral = member(given, "feralEventTypes");
  if (feral.is_array()) {
    for (const json& name : feral) {
      if (name.is_string()) config.feral_event_types.push_back(name.get<std::string>());
    }
  }
  return config;
}

}  // namespace tep
