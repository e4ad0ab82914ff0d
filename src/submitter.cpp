#include "submitter.h"

#include "error_ids.h"
#include "sent_event_reader.h"
#include "stringify_writer.h"
#include "xml_chars.h"

namespace tep {
namespace {

// Counter keys for events whose own name is unusable.
constexpr std::string_view kUnnamed = "(unnamed)";

Submission drop(DropReason reason, std::string name, std::string problem) {
  Submission s;
  s.reason = reason;
  s.name = std::move(name);
  s.problem = std::move(problem);
  return s;
}

size_t stored_size(const std::string& headers, const std::string& id, const std::string& name,
                   const std::string& payload) {
  // Length of {"headers":H,"id":"…","name":"…"} plus the payload.
  return 11 + headers.size() + 6 + stringify_string(id).size() + 8 + stringify_string(name).size() +
         1 + payload.size();
}

}  // namespace

size_t submitted_event_bytes(const Event& event) {
  return stored_size(event.headers, event.id, event.name, event.payload);
}

Submission Submitter::submit(std::string_view event_json, const std::string& id, int64_t now_ms,
                             const ConsentState* entry_consent) const {
  SentEvent event = read_sent_event(event_json, id, now_ms);
  if (!event.readable) {
    std::string name = event.name && !event.name->empty() ? *event.name : std::string(kUnnamed);
    return drop(DropReason::kValidationFailed, std::move(name),
                error_text(error_ids::kEventNotAnObject,
                           "the event must be a plain object of JSON values, "
                           "nested at most " +
                               std::to_string(kMaxEventNesting) + " deep"));
  }
  std::string name = event.name.value_or("");
  if (name.empty()) {
    return drop(
        DropReason::kValidationFailed, std::string(kUnnamed),
        error_text(error_ids::kEventNameMissing, "the event has no name (a non-empty string)"));
  }

  const std::optional<std::string>& category = event.consent_category;
  if (!category) {
    return drop(
        DropReason::kConsentFiltered, name,
        error_text(error_ids::kEventConsentCategoryMissing,
                   "event '" + name + "' has no consentCategory; it is not sent without consent"));
  }
  if (*category != "NECESSARY" && *category != "PERFORMANCE" && *category != "TARGETING") {
    return drop(
        DropReason::kConsentFiltered, name,
        error_text(
            error_ids::kEventConsentCategoryUnknown,
            "event '" + name +
                "' has an unknown consentCategory; expected NECESSARY, PERFORMANCE or TARGETING"));
  }
  const ConsentState& consent = entry_consent ? *entry_consent : config_.consent;
  if (!consent.allows(consent_category_named(*category))) {
    return drop(DropReason::kConsentFiltered, name,
                error_text(error_ids::kEventConsentBlocked, "consent category " + *category +
                                                                " is blocked; event '" + name +
                                                                "' is not sent"));
  }

  if (config_.strict_mode && !event.payload_truthy) {
    return drop(DropReason::kValidationFailed, name,
                error_text(error_ids::kEventPayloadMissing, "event '" + name + "' has no payload"));
  }

  auto headers = build_headers(config_.client, credentials_, /*include_authorization=*/true,
                               *category, now_ms, event.headers.value_or(""));
  if (!headers) {
    return drop(DropReason::kValidationFailed, name,
                error_text(error_ids::kEventHeadersNotObject,
                           "event '" + name + "' has headers that are not an object of strings"));
  }
  // The header is what the consent rule reads of a stored event (consent.h):
  // headers of the app's that name another category would move the event
  // out of its consent.
  if (consent_category_of_headers(*headers) != consent_category_named(*category)) {
    return drop(
        DropReason::kValidationFailed, name,
        error_text(error_ids::kEventConsentCategoryConflict,
                   "event '" + name +
                       "' has a consent-category header that differs from its consentCategory"));
  }

  std::string& payload = event.message_body;
  if (stored_size(*headers, id, name, payload) >= kMaxEventBytes) {
    return drop(
        DropReason::kValidationFailed, name,
        error_text(error_ids::kEventTooLarge, "event '" + name + "' is 20480 bytes or more"));
  }
  if (!json_has_only_xml_chars(payload) || !json_has_only_xml_chars(*headers) ||
      !utf8_has_only_xml_chars(name)) {
    return drop(DropReason::kValidationFailed, name,
                error_text(error_ids::kEventInvalidCharacter,
                           "event '" + name +
                               "' contains a character that is not allowed in XML 1.0 (a control "
                               "character, U+FFFE/U+FFFF or a lone surrogate)"));
  }

  Submission s;
  s.name = name;
  s.event = Event{id, std::move(name), std::move(*headers), std::move(payload), now_ms, 0};
  return s;
}

std::optional<DropReason> Submitter::refusal_of_stored(const Event& event) const {
  // The queue reads a stored event's category the quick way: headers it
  // would read otherwise than a parser (nested objects) are refused.
  ConsentCategory category = consent_category_of_headers(event.headers);
  if (category == ConsentCategory::kUnknown ||
      consent_category_of_built_headers(event.headers) != category ||
      submitted_event_bytes(event) >= kMaxEventBytes || !json_has_only_xml_chars(event.payload) ||
      !json_has_only_xml_chars(event.headers) || !utf8_has_only_xml_chars(event.name)) {
    return DropReason::kValidationFailed;
  }
  if (config_.consent.purges(category, event.created_ms)) return DropReason::kConsentFiltered;
  return std::nullopt;
}

Event Submitter::monitoring_event(const std::string& counters_json, const std::string& id,
                                  int64_t now_ms) const {
  auto headers = build_headers(config_.client, credentials_, /*include_authorization=*/false,
                               "NECESSARY", now_ms, {});
  return Event{id, std::string(kMonitoringEventName), headers.value_or("{}"), counters_json, now_ms,
               0};
}

}  // namespace tep
