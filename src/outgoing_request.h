// A request the producer hands to the host to perform with fetch: a batch of
// queued events from the Scheduler, or the monitoring event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace tep {

struct OutgoingRequest {
  uint32_t request_id = 0;  ///< what the host reports back with (Producer::on_response)
  std::string body;         ///< SendMessageBatch form body
  size_t event_count = 0;
  /// Public endpoint, no Authorization: the monitoring event, and events
  /// whose token is unknown (credentials_group.h).
  bool public_only = false;
  bool keepalive = false;  ///< the page is going away: fetch with keepalive
  /// The previous request was refused with a 401: the host asks the app's
  /// credentials provider for fresh credentials before sending this one
  /// (and only then: otherwise it uses the credentials it last received).
  bool refresh_credentials = false;
  /// The sub-status of that 401, for the credentials provider; may be empty.
  std::string credentials_sub_status;
};

}  // namespace tep
