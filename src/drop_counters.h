// The spec's monitoring counters: every event that did not reach the queue
// (or left it without being delivered), by reason and event name. They are
// bounded whatever the app sends: past a number of distinct names, and for
// names too long to report, events are counted under one name, "(other)".
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
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
  /// Distinct names counted apart, over all reasons together. An app sends
  /// a few dozen event names (TIDAL's web player ~30): 64 keeps them apart,
  /// while the counters, their file and the monitoring event stay small: at
  /// most 64 names of kMaxNameJsonBytes, ~10 KiB of the event's 20 KiB.
  static constexpr size_t kMaxNames = 64;
  /// A name whose JSON string (quotes and escapes included) is longer is
  /// counted under kOtherNames: event names are words, not texts, and a
  /// longer one is most likely a payload sent as a name by mistake.
  static constexpr size_t kMaxNameJsonBytes = 128;
  /// Where the events of names beyond kMaxNames or kMaxNameJsonBytes are
  /// counted, as "(unnamed)" counts events without a name.
  static constexpr std::string_view kOtherNames = "(other)";

  /// Counts `count` events of `event_name` (under kOtherNames if the name
  /// is too long, or new while kMaxNames others are counted).
  void add(DropReason reason, std::string_view event_name, uint64_t count = 1);
  /// Adds every count of `other` (a gone tab's unreported counters, adopted).
  void merge(const DropCounters& other);
  /// Subtracts counts already reported (a confirmed monitoring event), so
  /// drops counted while it was in flight are kept for the next report.
  void subtract(const DropCounters& reported);
  /// Counts every event under kOtherNames, each reason apart: the smallest
  /// report there is, for when the monitoring event has no room for names.
  void fold_every_name();
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
  /// Event name → count; looked up by string_view without a copy.
  using NameCounts = std::map<std::string, uint64_t, std::less<>>;

  NameCounts& of(DropReason reason);
  const NameCounts& of(DropReason reason) const;
  /// Names counted apart now, kOtherNames not included.
  size_t distinct_names() const;
  NameCounts consent_filtered_;
  NameCounts validation_failed_;
  NameCounts storing_failed_;
};

}  // namespace tep
