#include "scheduler.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "credentials_group.h"
#include "error_ids.h"
#include "json_reader.h"
#include "send_message_batch.h"

namespace tep {
namespace {

bool is_transient_status(int status) { return status == 408 || status == 429 || status >= 500; }

// TIDAL's API errors carry a JSON body with a numeric "subStatus" that tells
// the credentials provider why a token was refused.
std::string sub_status_of(const std::string& body) {
  nlohmann::json error = read_json_value(body);
  if (!error.is_object()) return {};
  auto sub_status = error.find("subStatus");
  if (sub_status == error.end()) return {};
  if (sub_status->is_number_unsigned()) return std::to_string(sub_status->get<uint64_t>());
  if (sub_status->is_number_integer()) return std::to_string(sub_status->get<int64_t>());
  if (sub_status->is_string()) return sub_status->get<std::string>();
  return {};
}

}  // namespace

const ConsentState Scheduler::kEverythingAllowed{};

size_t Scheduler::sendable_unsent() const {
  size_t sendable = 0;
  for (size_t c = 0; c < kConsentCategoryCount; ++c) {
    auto category = static_cast<ConsentCategory>(c);
    if (!consent_.allows(category)) continue;
    // Events removed while in flight (a purge, the TTL) are still counted
    // in flight until their request settles.
    size_t queued = queue_.size_of(category);
    sendable += queued - std::min(queued, in_flight_by_category_[c]);
  }
  return sendable;
}

void Scheduler::forget_in_flight(const InFlight& request) {
  for (const auto& id : request.ids) in_flight_ids_.erase(id);
  for (ConsentCategory category : request.categories) {
    --in_flight_by_category_[static_cast<size_t>(category)];
  }
}

std::function<bool(const std::string& id)> Scheduler::skip_in_flight() const {
  return [this](const std::string& id) { return in_flight_ids_.count(id) > 0; };
}

std::string Scheduler::encode_within(std::vector<Event>& events, size_t max_body_bytes) {
  std::string body = encode_send_message_batch(events);
  while (body.size() > max_body_bytes && events.size() > 1) {
    events.pop_back();
    body = encode_send_message_batch(events);
  }
  return body;
}

std::vector<Event> Scheduler::next_events(size_t max_events, size_t max_body_bytes) {
  auto skip_busy = skip_in_flight();
  auto skip_busy_or_suspect = [this, &skip_busy](const std::string& id) {
    return skip_busy(id) || suspects_.count(id) > 0;
  };
  std::vector<Event> events =
      queue_.peek(max_events, max_body_bytes, skip_busy_or_suspect, &consent_);
  if (events.empty() && !suspects_.empty()) {
    // Only suspects are left: give one of them another chance, alone.
    events = queue_.peek(1, max_body_bytes, skip_busy, &consent_);
  }
  return events;
}

std::string Scheduler::leaving_batch_body(size_t max_body_bytes) {
  // Exactly the batch keepalive_batch would make now: the worker tells them
  // apart by their bodies.
  for (const auto& request : in_flight_) {
    if (request.second.keepalive) return {};
  }
  std::vector<Event> events = next_events(config_.max_batch_events, max_body_bytes);
  keep_those_sharing_credentials_with_first(events);
  // The page sends the leaving batch with the credentials of the moment: a
  // batch for the public endpoint is the worker's to send.
  if (events.empty() || goes_without_authorization(events)) return {};
  std::string body = encode_within(events, max_body_bytes);
  return body.size() > max_body_bytes ? std::string() : body;
}

std::optional<OutgoingRequest> Scheduler::make_batch(size_t max_events, size_t max_body_bytes,
                                                     bool keepalive, int64_t now_ms) {
  std::vector<Event> events = next_events(max_events, max_body_bytes);
  if (events.empty()) return std::nullopt;
  keep_those_sharing_credentials_with_first(events);
  std::string body = encode_within(events, max_body_bytes);
  if (keepalive && body.size() > max_body_bytes) return std::nullopt;

  OutgoingRequest batch;
  batch.public_only = goes_without_authorization(events);
  batch.keepalive = keepalive;
  batch.body = std::move(body);
  batch.event_count = events.size();
  batch.refresh_credentials = refresh_credentials_next_;
  batch.credentials_sub_status = credentials_sub_status_;
  batch.request_id = track(std::move(events), keepalive, now_ms);
  return batch;
}

uint32_t Scheduler::track(std::vector<Event> events, bool keepalive, int64_t now_ms) {
  uint32_t request_id = next_request_id_++;
  InFlight request;
  request.keepalive = keepalive;
  request.sent_at_ms = now_ms;
  request.retry = failures_ > 0 && now_ms >= 0;
  request.retried_credentials = refresh_credentials_next_;
  refresh_credentials_next_ = false;
  credentials_sub_status_.clear();
  for (const auto& e : events) {
    request.ids.push_back(e.id);
    in_flight_ids_.insert(e.id);
    ConsentCategory category = consent_category_of_built_headers(e.headers);
    request.categories.push_back(category);
    ++in_flight_by_category_[static_cast<size_t>(category)];
  }
  request.events = std::move(events);
  in_flight_.emplace(request_id, std::move(request));
  return request_id;
}

std::optional<uint32_t> Scheduler::claim_leaving_batch(const std::vector<std::string>& ids) {
  for (const auto& request : in_flight_) {
    if (request.second.keepalive) return std::nullopt;
  }
  std::vector<Event> events = queue_.read(ids, skip_in_flight(), consent_);
  if (events.empty()) return std::nullopt;
  // The page's request carries no credentials retry: what the page sent is what went.
  bool refresh = std::exchange(refresh_credentials_next_, false);
  uint32_t request_id = track(std::move(events), true, -1);
  refresh_credentials_next_ = refresh;
  return request_id;
}

std::vector<OutgoingRequest> Scheduler::due_batches(int64_t now_ms, bool force, double random01) {
  std::vector<OutgoingRequest> batches;
  note_late_retries(now_ms, random01);
  if (!online_ || now_ms < retry_after_until_ms_) return batches;
  if (!force && now_ms < retry_at_ms_) return batches;
  while (awaiting_answer() < config_.max_in_flight) {
    size_t unsent = sendable_unsent();
    if (unsent == 0) break;
    bool due = force || failures_ > 0 || split_limit_ > 0 || refresh_credentials_next_ ||
               unsent >= config_.max_batch_events;
    if (!due) {
      int64_t oldest = queue_.oldest_created_ms(skip_in_flight(), &consent_);
      if (oldest < 0) break;
      due = now_ms - oldest >= config_.batch_interval_ms;
    }
    if (!due) break;
    size_t limit = split_limit_ ? split_limit_ : config_.max_batch_events;
    auto batch = make_batch(limit, config_.max_batch_body_bytes, false, now_ms);
    if (!batch) break;
    batches.push_back(std::move(*batch));
    // While bisecting or retrying, probe with one request at a time.
    if (split_limit_ > 0 || failures_ > 0) break;
  }
  return batches;
}

std::optional<OutgoingRequest> Scheduler::keepalive_batch(size_t max_body_bytes) {
  // One at a time: a page fires several hide events as it goes, and every
  // keepalive whose answer dies with the page is sent again on the next load.
  for (const auto& request : in_flight_) {
    if (request.second.keepalive) return std::nullopt;
  }
  return make_batch(config_.max_batch_events, max_body_bytes, true, -1);
}

size_t Scheduler::awaiting_answer() const {
  return static_cast<size_t>(std::count_if(
      in_flight_.begin(), in_flight_.end(),
      [](const auto& request) { return !request.second.answered && !request.second.late; }));
}

int64_t Scheduler::next_late_ms() const {
  // Only retries turn late, and only while still failing: a request sent
  // while all was well has the host's whole timeout.
  if (failures_ == 0) return -1;
  int64_t next = -1;
  for (const auto& entry : in_flight_) {
    const InFlight& request = entry.second;
    if (request.answered || request.late || !request.retry) continue;
    int64_t late_at = request.sent_at_ms + config_.late_retry_ms;
    if (next < 0 || late_at < next) next = late_at;
  }
  return next;
}

void Scheduler::note_late_retries(int64_t now_ms, double random01) {
  if (failures_ == 0) return;
  int64_t latest_sent_ms = -1;
  for (auto& entry : in_flight_) {
    InFlight& request = entry.second;
    if (request.answered || request.late || !request.retry) continue;
    if (now_ms - request.sent_at_ms < config_.late_retry_ms) continue;
    request.late = true;
    latest_sent_ms = std::max(latest_sent_ms, request.sent_at_ms);
  }
  // The backoff runs from the late retry's sending, as from a failure that
  // came at once: retries go at the pace they would against a collector
  // that refuses them (never two within min_delay_ms), not slower because
  // this one hangs.
  if (latest_sent_ms >= 0) fail(latest_sent_ms, random01, HttpOutcome{});
}

bool Scheduler::on_answered(uint32_t request_id, int status) {
  auto it = in_flight_.find(request_id);
  if (it == in_flight_.end() || it->second.answered || it->second.keepalive) return false;
  // Anything but a plain success decides what goes next (a backoff, a split,
  // new credentials): that waits for the verdict.
  bool steady = failures_ == 0 && split_limit_ == 0 && !refresh_credentials_next_;
  if (!steady || status < 200 || status >= 300) return false;
  it->second.answered = true;
  return true;
}

void Scheduler::fail(int64_t now_ms, double random01, const HttpOutcome& outcome) {
  if (failures_ == 0) {
    failing_since_ms_ = now_ms;
    disk_bytes_when_failing_ = queue_.disk_bytes();
  }
  ++failures_;
  // A queue filling towards maxDiskUsageBytes shortens the backoff (see
  // filling_queue_cap_ms); the collector's Retry-After below still holds.
  BackoffConfig backoff = config_.backoff;
  uint64_t disk_bytes = queue_.disk_bytes();
  backoff.max_delay_ms = filling_queue_cap_ms(
      config_.backoff, queue_.free_disk_bytes(),
      disk_bytes - std::min(disk_bytes, disk_bytes_when_failing_), now_ms - failing_since_ms_);
  retry_at_ms_ = now_ms + backoff_delay_ms(backoff, failures_, random01);
  if (auto wait =
          retry_after_delay_ms(config_.backoff, outcome.retry_after, outcome.date, now_ms)) {
    retry_after_until_ms_ = now_ms + *wait;
    retry_at_ms_ = std::max(retry_at_ms_, retry_after_until_ms_);
  }
}

void Scheduler::succeed() {
  failures_ = 0;
  failing_since_ms_ = -1;
  early_retry_failures_ = 0;
  retry_at_ms_ = 0;
  retry_after_until_ms_ = 0;
  for (auto& suspect : suspects_) suspect.second = true;
}

BatchVerdict Scheduler::on_client_error(InFlight& request, const HttpOutcome& outcome,
                                        int64_t now_ms, double random01, BatchVerdict verdict) {
  std::vector<uint32_t> attempts = queue_.record_attempt(request.ids);
  // A lone event answered 413 is treated as any refused event below: a
  // collector that answers 413 to everything is down, not refusing one event.
  bool too_large = outcome.status == 413;
  if (too_large && request.ids.size() > 1) {
    split_limit_ = std::max<size_t>(1, request.ids.size() / 2);
    verdict.error = error_text(error_ids::kSendTooLarge,
                               "the collector refused a batch as too large; splitting it");
    return verdict;
  }
  if (request.ids.size() > 1) {
    // Bisect: the next request carries the head half, so a bad event is
    // isolated in a few requests instead of jamming the head of the queue.
    split_limit_ = std::max<size_t>(1, request.ids.size() / 2);
    verdict.error = error_text(error_ids::kSendRejected, "the collector answered HTTP " +
                                                             std::to_string(outcome.status) +
                                                             "; isolating the event it refuses");
    return verdict;
  }
  split_limit_ = 0;
  const std::string& id = request.ids.front();
  auto suspect = suspects_.find(id);
  bool proven = suspect != suspects_.end() && suspect->second;
  if (proven && !attempts.empty() && attempts.front() >= config_.poison_attempts) {
    queue_.remove(request.ids);
    suspects_.erase(id);
    verdict.rejected = request.events;
    verdict.error =
        error_text(too_large ? error_ids::kSendEventTooLarge : error_ids::kSendPoisonEvent,
                   "the collector refused event '" + request.events.front().name + "' " +
                       std::to_string(attempts.front()) + " times while accepting others; dropped");
    return verdict;
  }
  suspects_.emplace(id, false);
  if (!proven) {
    // Nothing has got through since: the collector may refuse everything.
    verdict.delivery_failed = true;
    fail(now_ms, random01, outcome);
  }
  verdict.error = error_text(too_large ? error_ids::kSendEventTooLarge : error_ids::kSendRejected,
                             "the collector answered HTTP " + std::to_string(outcome.status) +
                                 " to event '" + request.events.front().name + "'");
  return verdict;
}

BatchVerdict Scheduler::on_outcome(uint32_t request_id, const HttpOutcome& outcome, int64_t now_ms,
                                   double random01) {
  auto it = in_flight_.find(request_id);
  if (it == in_flight_.end()) return BatchVerdict{};
  InFlight request = std::move(it->second);
  in_flight_.erase(it);
  forget_in_flight(request);
  if (!request.late) return settle(std::move(request), outcome, now_ms, random01);
  // A late retry's failure was counted when it turned late, and a failure
  // after a delivery since is old news: neither moves the backoff again nor
  // raises an outage. Its Retry-After still holds.
  uint32_t failures = failures_;
  int64_t retry_at_ms = retry_at_ms_;
  int64_t failing_since_ms = failing_since_ms_;
  uint64_t disk_bytes_when_failing = disk_bytes_when_failing_;
  BatchVerdict verdict = settle(std::move(request), outcome, now_ms, random01);
  if (verdict.delivered == 0) {
    failures_ = failures;
    retry_at_ms_ = std::max(retry_at_ms, retry_after_until_ms_);
    failing_since_ms_ = failing_since_ms;
    disk_bytes_when_failing_ = disk_bytes_when_failing;
    verdict.delivery_failed = false;
  }
  return verdict;
}

BatchVerdict Scheduler::settle(InFlight request, const HttpOutcome& outcome, int64_t now_ms,
                               double random01) {
  BatchVerdict verdict;
  verdict.known = true;

  if (outcome.kind != HttpOutcome::Kind::kResponse) {
    verdict.delivery_failed = true;
    verdict.error =
        outcome.kind == HttpOutcome::Kind::kTimeout
            ? error_text(error_ids::kSendTimeout, "the collector did not answer in time")
        : outcome.kind == HttpOutcome::Kind::kUnread
            ? error_text(error_ids::kSendOutOfMemory,
                         "the collector's answer could not be read into memory; "
                         "the batch will be sent again")
            : error_text(error_ids::kSendNetwork, "the collector could not be reached");
    fail(now_ms, random01, outcome);
    return verdict;
  }

  BatchResponse response = decode_batch_response(outcome.body);
  if (response.kind == BatchResponse::Kind::kErrorResponse &&
      response.error_code == "AWS.SimpleQueueService.BatchEntryIdsNotDistinct") {
    std::set<std::string> seen;
    auto duplicates =
        queue_.remove_if([&seen](const Event& e) { return !seen.insert(e.id).second; });
    verdict.error =
        error_text(error_ids::kSendDuplicateIds, "the collector saw duplicate ids; " +
                                                     std::to_string(duplicates.size()) +
                                                     " duplicates removed from the queue");
    // It confirmed nothing: back off as after any failure, so a collector
    // that keeps saying so is not asked again on every round trip. Removing
    // duplicates is progress; an answer that removes none is an outage.
    verdict.delivery_failed = duplicates.empty();
    fail(now_ms, random01, outcome);
    return verdict;
  }

  if (outcome.status == 401 && !request.retried_credentials) {
    refresh_credentials_next_ = true;
    credentials_sub_status_ = sub_status_of(outcome.body);
    verdict.error = error_text(error_ids::kSendUnauthorized,
                               "the collector refused the credentials; asking for new ones");
    return verdict;
  }

  if (outcome.status >= 200 && outcome.status < 300) {
    if (response.kind == BatchResponse::Kind::kBatchResult) {
      std::set<std::string> in_batch(request.ids.begin(), request.ids.end());
      std::vector<std::string> settled;
      for (const auto& id : response.accepted) {
        if (in_batch.erase(id)) {
          settled.push_back(id);
          ++verdict.delivered;
          suspects_.erase(id);
        }
      }
      for (const auto& entry : response.rejected) {
        if (!entry.sender_fault || !in_batch.erase(entry.id)) continue;
        settled.push_back(entry.id);
        suspects_.erase(entry.id);
        for (const auto& e : request.events) {
          if (e.id == entry.id) verdict.rejected.push_back(e);
        }
      }
      queue_.remove(settled);
      if (!settled.empty()) {
        if (verdict.delivered > 0) succeed();
        if (request.ids.size() == settled.size()) split_limit_ = 0;
        return verdict;
      }
    }
    verdict.delivery_failed = true;
    verdict.error = error_text(error_ids::kSendUnconfirmed, "the collector answered HTTP " +
                                                                std::to_string(outcome.status) +
                                                                " without confirming any event");
    fail(now_ms, random01, outcome);
    return verdict;
  }

  if (outcome.status >= 400 && outcome.status < 500 && !is_transient_status(outcome.status) &&
      outcome.status != 401) {
    return on_client_error(request, outcome, now_ms, random01, verdict);
  }

  verdict.delivery_failed = true;
  verdict.error = error_text(error_ids::kSendHttpError,
                             "the collector answered HTTP " + std::to_string(outcome.status));
  fail(now_ms, random01, outcome);
  return verdict;
}

int64_t Scheduler::next_wake_ms(int64_t now_ms) const {
  if (!online_) return -1;
  size_t unsent = sendable_unsent();
  if (unsent == 0) return -1;
  if (awaiting_answer() >= config_.max_in_flight) return next_late_ms();
  int64_t gate = std::max(retry_at_ms_, retry_after_until_ms_);
  if (failures_ > 0 || split_limit_ > 0 || refresh_credentials_next_ ||
      unsent >= config_.max_batch_events) {
    return std::max(gate, now_ms);
  }
  int64_t oldest = queue_.oldest_created_ms(skip_in_flight(), &consent_);
  if (oldest < 0) return -1;
  return std::max(gate, oldest + config_.batch_interval_ms);
}

bool Scheduler::retry_early() {
  if (failures_ == 0 || failures_ <= early_retry_failures_) return false;
  early_retry_failures_ = failures_ + 1;
  retry_at_ms_ = 0;
  return true;
}

void Scheduler::set_online(bool online) {
  online_ = online;
  if (online) retry_at_ms_ = 0;  // a network just came back: try at once
}

}  // namespace tep
