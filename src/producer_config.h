// The producer's settings, read from the config the app passes to init, in
// TIDAL's names. Every default is defined here, once (the numbers' in
// config_options.def): the page passes only what the app gave.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event_queue.h"
#include "scheduler.h"
#include "submitter.h"

namespace tep {

struct ProducerConfig {
  SubmitterConfig submitter;
  QueueLimits queue;
  SchedulerConfig scheduler;
  /// How often the counters are reported (monitoringInterval).
  int64_t monitoring_interval_ms = 0;
  /// Event names purged from the restored queue (feralEventTypes).
  std::vector<std::string> feral_event_types;
};

/// What a config that sets nothing gives.
ProducerConfig default_producer_config();

/// Reads the config object: appInfo {appName, appVersion}; platform
/// {browserName, browserVersion, osName, osVersion (or version),
/// deviceVendor, deviceModel (or model)}; blockedConsentCategories
/// {PERFORMANCE, TARGETING};
/// strictMode; eventBatchInterval; maxBackoffMs; monitoringInterval; maxDiskUsageBytes;
/// maxInFlightBatches; eventTtlMs; feralEventTypes. A field that is missing,
/// of another type or out of range keeps its default; other fields are
/// ignored. Flags are read as JavaScript reads them (any truthy value), and
/// numbers are rounded and checked as config_options.def says. nullopt if
/// `json` is not a JSON object.
std::optional<ProducerConfig> read_producer_config(std::string_view json);

}  // namespace tep
