// The spec's Submitter: turns what the app passed to sendEvent into a queued
// Event, or into a counted drop with a reason. Consent is checked first,
// then the event is enriched with the default headers and validated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "consent.h"
#include "default_headers.h"
#include "drop_counters.h"
#include "event.h"

namespace tep {

/// Events of this size or more are refused (the spec's 20 KiB limit),
/// measured as the reference client measures it: the stored event's
/// {headers,id,name} as JSON plus the payload, in UTF-8 bytes.
constexpr size_t kMaxEventBytes = 20480;

/// The size kMaxEventBytes limits: `event`'s {"headers":…,"id":…,"name":…}
/// as JSON plus its payload.
size_t submitted_event_bytes(const Event& event);

struct SubmitterConfig {
  ClientInfo client;
  ConsentState consent;
  bool strict_mode = false;  ///< also require a payload, and report drops loudly
};

/// The outcome of one sendEvent.
struct Submission {
  std::optional<Event> event;                         ///< set when the event may be queued
  DropReason reason = DropReason::kValidationFailed;  ///< when not
  std::string name;     ///< the event's name, or a placeholder, for the counters
  std::string problem;  ///< "[tep.event.<id>] explanation", empty when accepted
};

class Submitter {
 public:
  explicit Submitter(SubmitterConfig config) : config_(std::move(config)) {}

  /// `event_json` is JSON.stringify(event) of what the app passed; `id` a fresh
  /// random UUID; `now_ms` the (collector-corrected) time of the call.
  /// The consent judged is `entry_consent` if given: the consent the app
  /// sent the event under, when it reaches the worker after a later change.
  Submission submit(std::string_view event_json, const std::string& id, int64_t now_ms,
                    const ConsentState* entry_consent = nullptr) const;

  /// The spec's monitoring event carrying `counters_json`: NECESSARY, headers
  /// enriched but never with authorization.
  Event monitoring_event(const std::string& counters_json, const std::string& id,
                         int64_t now_ms) const;

  /// Why an event stored elsewhere (another tab's store) may not be queued
  /// here, or none: the checks submit() made, applied to the stored form
  /// (size, characters, a known consent category in its headers) and the
  /// consent's purges. A blocked category is no refusal: the event is
  /// queued and waits, as this queue's own do.
  std::optional<DropReason> refusal_of_stored(const Event& event) const;

  void set_consent(ConsentState consent) { config_.consent = consent; }
  /// The consent in force: the one the Scheduler checks at every exit.
  const ConsentState& consent() const { return config_.consent; }
  void set_credentials(Credentials credentials) { credentials_ = std::move(credentials); }

  /// True if events of this category may be queued now (NECESSARY always;
  /// unknown categories never).
  bool allows(std::string_view consent_category) const {
    return config_.consent.allows(consent_category_named(consent_category));
  }

 private:
  SubmitterConfig config_;
  Credentials credentials_;
};

/// Name of the spec's monitoring event.
constexpr std::string_view kMonitoringEventName = "tep-tl-monitoring";

}  // namespace tep
