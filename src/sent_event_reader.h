// Reads what the app passed to sendEvent (TIDAL's SentEvent, as the page's
// JSON.stringify wrote it) into the parts the Submitter judges, and writes
// the MessageBody as @tidal-music/event-producer builds it:
// JSON.stringify({...eventWithoutConsentCategory, ts, uuid}).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tep {

/// Containers deeper than this in one event are refused rather than read:
/// real events are a few levels deep, and the limit bounds the work a hostile
/// event can cause.
constexpr size_t kMaxEventNesting = 128;

struct SentEvent {
  /// A JSON object nested at most kMaxEventNesting deep. When false, only
  /// `name` is meaningful: the name read before the text turned out unusable.
  bool readable = false;
  std::optional<std::string> name;              ///< "name", when a string
  std::optional<std::string> consent_category;  ///< "consentCategory", when a string
  bool payload_truthy = false;                  ///< "payload" is truthy to JavaScript
  std::optional<std::string> headers;           ///< "headers" as JSON text, when present
  std::string message_body;  ///< the event without consentCategory, with ts and uuid
};

/// Reads `event_json`; `id` becomes the body's uuid and `now_ms` its ts. A
/// member given twice counts with its last value, as in JavaScript.
SentEvent read_sent_event(std::string_view event_json, std::string_view id, int64_t now_ms);

}  // namespace tep
