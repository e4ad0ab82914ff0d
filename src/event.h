// The event model of the spec: what the queue stores and the wire carries.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace tep {

/// One event, enriched and validated, ready to be queued and sent.
struct Event {
  std::string id;          ///< random UUID (v4), unique across reloads and tabs
  std::string name;        ///< event name, e.g. "playback_session"
  std::string headers;     ///< JSON object text, keys in the collector's order
  std::string payload;     ///< MessageBody: the caller's event as JSON, plus ts and uuid
  int64_t created_ms = 0;  ///< host time of sendEvent, ms since epoch (for the TTL)
  uint32_t attempts = 0;   ///< sends of this event that ended without a verdict
  /// Set when the event was stored with a token this worker does not know:
  /// where the token stood in the stored headers (0 = nowhere) and its
  /// fingerprint (stored_headers.h). It goes in the logged-out form, never
  /// under the token of the moment (credentials_group.h), and is stored again
  /// as it was stored, should the token be known again.
  uint32_t withheld_token_at = 0;
  std::array<uint8_t, 16> withheld_token_fingerprint{};
  bool token_withheld() const { return withheld_token_at != 0; }
};

/// Bytes an event costs against the spec's 20 KiB limit and the disk cap.
inline size_t event_size(const Event& e) {
  return e.id.size() + e.name.size() + e.headers.size() + e.payload.size();
}

/// The latest time a host can give, in ms since epoch: where JavaScript's
/// Date ends (8.64e15, ECMA-262's time value range).
constexpr int64_t kLatestHostTimeMs = 8640000000000000;

}  // namespace tep
