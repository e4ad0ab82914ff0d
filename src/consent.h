// Consent: which categories the user has blocked, and the one rule every
// exit of an event obeys. The rule is checked where events enter (the
// Submitter) and again wherever a request is built (the Scheduler), so an
// event stored while its category was allowed never leaves once it is
// blocked: not by the scheduler, flush, the leaving batch, a restored or an
// adopted store.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>

namespace tep {

enum class ConsentCategory : uint8_t { kNecessary, kPerformance, kTargeting, kUnknown };
/// How many ConsentCategory values there are, for per-category tables.
constexpr size_t kConsentCategoryCount = 4;

/// The category named `name` (the spec's upper-case names); kUnknown otherwise.
ConsentCategory consent_category_named(std::string_view name);

/// The category an event's headers (a JSON object) carry in their
/// "consent-category" member; kUnknown if they carry none or another value.
/// Every queued event has its category there: the Submitter puts it there
/// and refuses caller headers that would change it.
ConsentCategory consent_category_of_headers(std::string_view headers_json);

/// The same for headers the Submitter built (a flat object of strings and
/// one number, as every queued event's are), without parsing them: the
/// queue reads the category of every event it restores. Where the text is
/// not as the Submitter builds it, it falls back to
/// consent_category_of_headers.
ConsentCategory consent_category_of_built_headers(std::string_view headers_json);

/// Events of a category created before this time are purged: no purge yet.
constexpr int64_t kNothingPurged = std::numeric_limits<int64_t>::min();
/// ...: the category was blocked with a purge and is still blocked, so every
/// event of it is purged, whenever it was created.
constexpr int64_t kEverythingPurged = std::numeric_limits<int64_t>::max();

/// The consent in force. NECESSARY can't be blocked; an unknown category is
/// never allowed (an event of one is never sent).
struct ConsentState {
  bool performance_blocked = false;
  bool targeting_blocked = false;
  /// Events of the category created before this (device clock, ms since
  /// epoch) are removed wherever they are found: the live queue, a restored
  /// store, an adopted one. A purge sets it to kEverythingPurged; allowing
  /// the category again moves it to the time it was allowed. It travels with
  /// the consent, so a purge reaches stores whose worker never heard it.
  int64_t performance_purged_before_ms = kNothingPurged;
  int64_t targeting_purged_before_ms = kNothingPurged;

  bool allows(ConsentCategory category) const;
  /// True if an event of `category` created at `created_ms` is purged.
  bool purges(ConsentCategory category, int64_t created_ms) const;
};

}  // namespace tep
