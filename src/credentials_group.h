// Which queued events may share one request. A request carries one
// Authorization: the token of the credentials of the moment, or none, to the
// public endpoint. An event stored with a token this worker no longer knows
// goes in the logged-out form (token_keeper.h); under the token of the
// moment it would reach the collector as another user's event (after a
// log-out and a log-in, or adopted from another user's tab on a shared
// computer). So it goes to the public endpoint, without Authorization, and
// never in one request with events that go under the token of the moment.
#pragma once

#include <vector>

#include "event.h"

namespace tep {

/// Keeps, of `events` (the queue's head, oldest first), the first and those
/// that can go in one request with it, in their order.
void keep_those_sharing_credentials_with_first(std::vector<Event>& events);

/// True if a request of `events` (one credentials group) goes to the
/// public endpoint without Authorization.
bool goes_without_authorization(const std::vector<Event>& events);

}  // namespace tep
