// The spec's Scheduler as a deterministic state machine: it decides which
// batch to send and when, and what a response means for the queue. The host
// (the worker, or a simulation in tests) performs the requests and the timers
// and reports back; time only ever comes in as `now_ms`.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "consent.h"
#include "event.h"
#include "event_queue.h"
#include "outgoing_request.h"
#include "retry_policy.h"

namespace tep {

// The fields named after a config field are set from the config, whose
// defaults producer_config.cpp defines.
struct SchedulerConfig {
  /// Send when the oldest unsent event is this old (eventBatchInterval).
  int64_t batch_interval_ms = 0;
  /// The TL consumer accepts at most 10 entries per SendMessageBatch.
  size_t max_batch_events = 10;
  /// Body budget per request: 256 KiB is SQS's own payload limit.
  size_t max_batch_body_bytes = size_t{256} * 1024;
  /// Requests in flight at once (maxInFlightBatches). 64 bits, as the
  /// config's numbers: the config takes up to 2^53, beyond a 32-bit size_t
  /// (wasm's), where a large value would wrap to a small one.
  uint64_t max_in_flight = 0;
  /// Inconclusive 4xx answers after which an event that alone fails while
  /// others get through is dropped as poison: 3 rules out a passing glitch.
  uint32_t poison_attempts = 3;
  /// A retry of a failing collector unanswered this long no longer holds
  /// its place among max_in_flight, and counts as a failure for the
  /// backoff: 2 s, while a collector answers a batch in milliseconds when it
  /// works. A collector that hangs holds each request until the host's 10 s
  /// timeout; without this, one retry sent into a hang keeps every other back
  /// for 10 s, and a collector that is up for 5 s between hangs is never
  /// met. Each late request still ends by that timeout and its events stay
  /// in it (never in two requests), and retries keep the backoff's pace (at
  /// least 1 s apart): at most ten of them wait at once.
  int64_t late_retry_ms = 1000;
  BackoffConfig backoff;
};

/// What the host did with a request.
struct HttpOutcome {
  /// kUnread: an answer came but the host could not read it (no memory for
  /// its body): a failed attempt, whatever the collector did with the batch.
  enum class Kind { kResponse, kNetworkError, kTimeout, kUnread };
  Kind kind = Kind::kNetworkError;
  int status = 0;
  std::string body;
  std::string retry_after;  ///< Retry-After header, if any
  std::string date;         ///< Date header, if any
};

/// What a settled request means, for the producer to apply.
struct BatchVerdict {
  bool known = false;            ///< false if the request id was not in flight
  size_t delivered = 0;          ///< events the collector confirmed
  bool delivery_failed = false;  ///< no confirmation at all: an outage signal
  std::vector<Event> rejected;   ///< events the collector refused for good
  std::string error;             ///< "[tep.send.<id>] …" when something went wrong
};

class Scheduler {
 public:
  /// `consent` is the consent in force, owned by the Submitter: no request
  /// this builds holds an event of a category it blocks.
  Scheduler(SchedulerConfig config, EventQueue& queue, const ConsentState& consent)
      : config_(config), queue_(queue), consent_(consent) {}
  /// A scheduler under which every category is allowed (tests of batching).
  Scheduler(SchedulerConfig config, EventQueue& queue)
      : Scheduler(config, queue, kEverythingAllowed) {}

  /// Batches to send now: when a full batch is waiting, the oldest unsent
  /// event is batch_interval old, or `force` (flush / page hide); never while
  /// backing off (unless `force`, which still honours Retry-After) or offline,
  /// never more than max_in_flight, never an event twice at once.
  /// A retry unanswered for late_retry_ms counts as a failure here;
  /// `random01` draws that backoff's jitter.
  std::vector<OutgoingRequest> due_batches(int64_t now_ms, bool force, double random01);

  /// One batch of the queue's head that fits `max_body_bytes`, to send with
  /// keepalive while the page goes away; none if nothing fits or a keepalive
  /// batch is still in flight.
  std::optional<OutgoingRequest> keepalive_batch(size_t max_body_bytes);

  /// The body of the batch keepalive_batch would make now, or "" if it
  /// would make none; changes nothing. The page holds it, to send it itself
  /// when it is hidden or unloads (its worker may be ended before it could
  /// send anything); the worker then makes the keepalive batch and, finding
  /// the same body, takes the page's answer as that request's.
  std::string leaving_batch_body(size_t max_body_bytes);

  /// Takes the batch the page sent itself while it went away (the
  /// leaving batch, of these event ids) as a keepalive request in flight,
  /// so the events are not sent again until its answer is known: one
  /// batch leaves per page hide. Events no longer sendable (confirmed
  /// meanwhile, in flight, blocked) are left out. Returns the request's id,
  /// or none if a keepalive request is in flight or no event is left.
  std::optional<uint32_t> claim_leaving_batch(const std::vector<std::string>& ids);

  /// The collector has answered request `request_id` with `status`; its body
  /// (what it confirmed) is still being read. A success answer in the
  /// steady state (no backoff, bisection or credentials retry pending) frees
  /// the request's place among max_in_flight, so the next batch goes while
  /// this one's confirmation is read and applied; its events stay in flight
  /// until on_outcome. Returns whether a place was freed.
  bool on_answered(uint32_t request_id, int status);

  /// Applies the outcome of a request. `random01` draws the backoff jitter.
  BatchVerdict on_outcome(uint32_t request_id, const HttpOutcome& outcome, int64_t now_ms,
                          double random01);

  /// When due_batches() may next return something, or -1 if only new events can change that.
  int64_t next_wake_ms(int64_t now_ms) const;

  /// Offline pauses sending; coming online retries at once.
  void set_online(bool online);
  /// Another tab got a delivery through: ends the wait of this backoff now
  /// (Retry-After still holds), once per backoff step. An early retry that
  /// fails earns no other before the next regular retry, so news repeated
  /// (or forged) can't make every tab retry at once again and again.
  /// Returns whether the wait was ended.
  bool retry_early();
  bool online() const { return online_; }

  size_t in_flight_batches() const { return in_flight_.size(); }
  size_t in_flight_events() const { return in_flight_ids_.size(); }
  int64_t retry_at_ms() const { return retry_at_ms_; }
  uint32_t consecutive_failures() const { return failures_; }

 private:
  static const ConsentState kEverythingAllowed;

  struct InFlight {
    std::vector<std::string> ids;
    std::vector<ConsentCategory> categories;  ///< of `events`, in order
    std::vector<Event> events;
    bool retried_credentials = false;
    bool keepalive = false;
    /// The collector has answered; only its body is still being read.
    bool answered = false;
    /// Host time it was sent at (-1: a keepalive or the page's leaving batch).
    int64_t sent_at_ms = -1;
    /// Sent after a failure, while backing off: only a retry may turn late.
    bool retry = false;
    /// A retry unanswered for late_retry_ms: counted as failed, no longer
    /// holding a place among max_in_flight; still in flight.
    bool late = false;
  };

  /// Requests still waiting for the collector's answer, late retries
  /// aside: what max_in_flight limits.
  size_t awaiting_answer() const;
  /// When the next retry in flight turns late, or -1 if none will.
  int64_t next_late_ms() const;
  /// Marks the retries unanswered for late_retry_ms late; if any, that is a failure.
  void note_late_retries(int64_t now_ms, double random01);
  BatchVerdict settle(InFlight request, const HttpOutcome& outcome, int64_t now_ms,
                      double random01);
  /// Queued events that may be sent now: of a category the consent allows,
  /// and not in a request already.
  size_t sendable_unsent() const;
  void forget_in_flight(const InFlight& request);

  /// `now_ms`: when it is sent, -1 for a keepalive batch.
  std::optional<OutgoingRequest> make_batch(size_t max_events, size_t max_body_bytes,
                                            bool keepalive, int64_t now_ms);
  /// Registers `events` as a request in flight, sent at `now_ms`; returns its id.
  uint32_t track(std::vector<Event> events, bool keepalive, int64_t now_ms);
  /// The queue's head to send next: not in flight, suspects (events a
  /// refused batch held) only alone once nothing else is left.
  std::vector<Event> next_events(size_t max_events, size_t max_body_bytes);
  /// Encodes `events`, dropping from the back until the body fits (one event at least).
  static std::string encode_within(std::vector<Event>& events, size_t max_body_bytes);
  /// The queue's `skip` for events already in a request.
  std::function<bool(const std::string& id)> skip_in_flight() const;
  void fail(int64_t now_ms, double random01, const HttpOutcome& outcome);
  void succeed();
  BatchVerdict on_client_error(InFlight& request, const HttpOutcome& outcome, int64_t now_ms,
                               double random01, BatchVerdict verdict);

  SchedulerConfig config_;
  EventQueue& queue_;
  std::map<uint32_t, InFlight> in_flight_;
  const ConsentState& consent_;
  std::set<std::string> in_flight_ids_;
  /// Events in requests, by ConsentCategory.
  std::array<size_t, kConsentCategoryCount> in_flight_by_category_{};
  uint32_t next_request_id_ = 1;
  uint32_t failures_ = 0;
  int64_t retry_at_ms_ = 0;           ///< exponential backoff gate
  int64_t retry_after_until_ms_ = 0;  ///< the collector's own Retry-After gate
  /// When the first failure of this run of failures came (-1 = none), and the
  /// queue's bytes then: how fast the queue fills during the outage.
  int64_t failing_since_ms_ = -1;
  uint64_t disk_bytes_when_failing_ = 0;
  /// retry_early() waits until failures_ exceeds this (the early retry's own failure doesn't).
  uint32_t early_retry_failures_ = 0;
  bool online_ = true;
  bool refresh_credentials_next_ = false;
  std::string credentials_sub_status_;
  /// Batch size while bisecting a batch the collector refused with a 4xx (0 = none).
  size_t split_limit_ = 0;
  /// Events that alone drew a 4xx, and whether a delivery has succeeded since:
  /// a collector that refuses everything is an outage, not poison.
  std::map<std::string, bool> suspects_;
};

}  // namespace tep
