// The spec's monitoring counters: every event that did not reach the queue
// (or left it without being delivered), by reason and event name.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

namespace tep {

enum class DropReason {
  kConsentFiltered,   ///< blocked, missing or unknown consent category
  kValidationFailed,  ///< malformed, too large, forbidden characters, rejected by the collector
  kStoringFailed,     ///< disk cap reached, storage error, expired by the TTL
};

/// Stable names used in the monitoring payload and in getStats().
const char* drop_reason_key(DropReason reason);

class DropCounters {
 public:
  void add(DropReason reason, std::string_view event_name, uint64_t count = 1);
  /// Adds every count of `other` (a gone tab's unreported counters, adopted).
  void merge(const DropCounters& other);
  /// Subtracts counts already reported (a confirmed monitoring event), so
  /// drops counted while it was in flight are kept for the next report.
  void subtract(const DropCounters& reported);
  bool empty() const;
  uint64_t total(DropReason reason) const;

  /// {"consentFilteredEvents":{…},"storingFailedEvents":{…},"validationFailedEvents":{…}},
  /// each a map of event name to count.
  nlohmann::json to_json_value() const;
  /// to_json_value() as JSON.stringify writes it (names in byte order, those
  /// that are array indices first): the monitoring event's payload.
  std::string to_json() const;
  /// Reads what to_json() wrote; false (and empty counters) on anything else.
  bool from_json(std::string_view json);

 private:
  std::map<std::string, uint64_t>& of(DropReason reason);
  const std::map<std::string, uint64_t>& of(DropReason reason) const;
  std::map<std::string, uint64_t> consent_filtered_;
  std::map<std::string, uint64_t> validation_failed_;
  std::map<std::string, uint64_t> storing_failed_;
};

}  // namespace tep
