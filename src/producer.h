// The whole producer: Submitter → EventQueue → Scheduler, with the outage
// state and the monitoring counters, driven by a host. The host (the Web
// Worker, or a simulation in tests) gives it time, randomness, storage and
// the network through HostPort and FileStore; nothing here blocks or sleeps.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drop_counters.h"
#include "event_queue.h"
#include "file_store.h"
#include "outgoing_request.h"
#include "producer_config.h"
#include "scheduler.h"
#include "submitter.h"
#include "token_keeper.h"

namespace tep {

enum class BusMessage { kOutageStart, kOutageEnd };

/// Why events can't flow. Each reason starts and ends on its own, and
/// several can hold at once.
enum class OutageReason {
  kDelivery,   ///< the collector confirms nothing; the only one persisted
  kQueueFull,  ///< the queue reached maxDiskUsageBytes: new events are dropped
  kStorage,    ///< storage refused to write an event: it is dropped
};

class HostPort {
 public:
  virtual ~HostPort() = default;
  /// Perform `request`; report with Producer::on_response, exactly once
  /// (and may tell Producer::on_answered as soon as the answer's status is
  /// known, before its body is read).
  virtual void send(const OutgoingRequest& request) = 0;
  /// Tell the page (the bus) that the outage of `reason` started or ended.
  virtual void publish(BusMessage message, OutageReason reason) = 0;
  /// Fill `out` with cryptographically random bytes.
  virtual void random_bytes(uint8_t* out, size_t size) = 0;
  /// A drop the app should hear about in strict mode.
  virtual void report_problem(std::string_view problem) = 0;
};

struct RestoreSummary {
  size_t restored = 0;
  size_t corrupt_records = 0;
  size_t unreadable_files = 0;
  size_t expired = 0;
  size_t feral = 0;
  size_t purged = 0;    ///< events of a category purged since they were stored
  bool outage = false;  ///< the stored delivery outage
};

/// What Producer::adopt found in the other store and took from it.
struct AdoptReport {
  size_t taken = 0;             ///< events moved into this queue
  size_t remaining = 0;         ///< events left in the other store: this queue is full
  size_t unreadable_files = 0;  ///< queue files of an unknown format or version
  size_t damaged_records = 0;   ///< torn or corrupt records skipped
  size_t expired = 0;           ///< events dropped by the TTL, counted as storing failures
  /// Files of the other store that were not read (the unreadable queue files,
  /// files of names this release doesn't know, counters it can't parse): the
  /// host must keep their bytes when it deletes that store.
  std::vector<std::string> kept_files;
  /// Files of the other store that adoption changed: what it took is gone
  /// from there (and its counters, once merged), so adopting the store again
  /// takes nothing twice. The host makes them durable only after this queue
  /// is, and needs to only if it keeps the store (`remaining` > 0).
  std::vector<std::string> changed_files;
  bool must_keep() const { return !kept_files.empty(); }
};

struct ProducerStats {
  size_t queued = 0;
  uint64_t queued_bytes = 0;
  size_t held_by_consent = 0;  ///< queued events of a category now blocked: not sent
  size_t in_flight_batches = 0;
  size_t in_flight_events = 0;
  uint64_t delivered = 0;  ///< confirmed by the collector in this session
  uint64_t accepted = 0;   ///< queued by sendEvent in this session
  bool outage = false;     ///< an outage of any reason
  bool online = true;
  int64_t retry_at_ms = 0;
  uint32_t consecutive_failures = 0;
  int64_t clock_offset_ms = 0;  ///< collector clock minus host clock
  DropCounters counters;        ///< the unreported monitoring counters
  std::string last_error;
};

class Producer {
 public:
  Producer(ProducerConfig config, FileStore& store, HostPort& host);

  /// Loads the stored queue, counters and outage state, and rewrites the
  /// queue's segments of an earlier release, whose events hold their bearer
  /// token, without it (EventQueue::rewrite_earlier_formats).
  RestoreSummary restore(int64_t now_ms);

  /// Moves the stored events of another queue (a closed tab's) into this
  /// one, oldest first, as many as fit the disk cap; each is removed from the
  /// other store as it is taken, and the rest stay there for a later
  /// adoption (AdoptReport::remaining). The host deletes the other store
  /// once this one is durable and nothing remains in it, and otherwise
  /// stores its changed files, also only once this one is durable. Each
  /// is taken over as it would be sent now: with its token if this worker
  /// knows it, else in the logged-out form (token_keeper.h); this queue
  /// stores it without the token either way. The other store's expired
  /// events are counted as this producer counts its own on restore, and its
  /// unreported drop counters are merged into these (and removed there), so
  /// that this producer's monitoring event reports them, once. What the other
  /// store holds that adoption could not read stays as it was: the report
  /// names those files.
  AdoptReport adopt(FileStore& other, int64_t now_ms);

  /// sendEvent: `event_json` is JSON.stringify of the app's event.
  /// `entry_consent`, if given, is the consent the app sent it under
  /// (Submitter::submit); the consent in force still rules its exit.
  void send_event(std::string_view event_json, int64_t now_ms,
                  const ConsentState* entry_consent = nullptr);
  /// An event refused before it reached the worker: one the page could not
  /// serialise (cyclic, BigInt…) or could not hold before init. Counted.
  void count_refused_on_page(DropReason reason, std::string_view name, std::string_view problem,
                             uint64_t count_on_page);

  /// Starts whatever is due (batches, monitoring); call on every timer.
  void tick(int64_t now_ms);
  /// Sends what is queued now, without waiting for the batch interval.
  void flush(int64_t now_ms);
  /// The page is going away: one keepalive batch within `max_body_bytes`.
  void send_keepalive(size_t max_body_bytes, int64_t now_ms);
  /// The page sent its leaving batch, of these event ids, itself: they are
  /// in flight as a keepalive request, whose id this returns (0: none was
  /// taken; Scheduler::claim_leaving_batch). Its outcome comes through
  /// on_response like any request's.
  uint32_t claim_leaving_batch(const std::vector<std::string>& ids);
  /// The body of the batch the page would send itself while it unloads
  /// (Scheduler::leaving_batch_body), or "" if nothing is queued.
  std::string leaving_batch_body(size_t max_body_bytes);
  /// When tick() should next run, or -1 if only new input can make work.
  int64_t next_wake_ms(int64_t now_ms) const;

  /// The collector answered request `request_id` with `status`, and its body
  /// is being read: a success lets the next batch go now
  /// (Scheduler::on_answered). on_response follows, exactly once.
  void on_answered(uint32_t request_id, int status, int64_t now_ms);

  /// What became of request `request_id`.
  void on_response(uint32_t request_id, const HttpOutcome& outcome, int64_t now_ms);

  /// Changes the consent in force. Queued events it purges
  /// (ConsentState::purges) are removed and counted; those of a blocked
  /// category stay queued, unsent, until it is allowed again, they are
  /// purged, or their TTL ends (counted as consent-filtered).
  void set_consent(ConsentState consent);
  /// The credentials for the events submitted from now on; their token is
  /// also kept in memory for the queued events that carry it.
  void set_credentials(Credentials credentials);
  void set_online(bool online, int64_t now_ms);

  /// Writes the small state files (counters, outage) if they changed; the
  /// host calls it right before making storage durable.
  void persist_state();

  /// The host's clock corrected by the collector's Date header, as learnt
  /// from answers that confirm events and within ±24 h: the time the events'
  /// headers carry. The queue's TTL and the scheduler run on the host's clock.
  int64_t corrected_now(int64_t now_ms) const { return now_ms + clock_offset_ms_; }
  int64_t clock_offset_ms() const { return clock_offset_ms_; }
  /// The delivery outage (the one shared by the tabs of an origin).
  bool outage() const { return outage_; }
  bool in_outage(OutageReason reason) const;

  /// Another tab got a delivery through: retry now rather than at the end
  /// of this backoff (Scheduler::retry_early).
  void retry_early(int64_t now_ms);
  /// Changes whenever something was written that a sync should make durable.
  uint64_t storage_generation() const { return storage_generation_; }
  ProducerStats stats() const;
  const DropCounters& counters() const { return counters_; }
  const EventQueue& queue() const { return queue_; }

 private:
  std::string new_id();
  double random01();
  void set_outage(OutageReason reason, bool outage);
  void count(DropReason reason, std::string_view name, uint64_t n = 1);
  void start_monitoring_if_due(int64_t now_ms);
  std::optional<Event> monitoring_report(int64_t now_ms);
  void start(const std::vector<OutgoingRequest>& batches);
  void learn_clock(const HttpOutcome& outcome, int64_t now_ms);

  ProducerConfig config_;
  FileStore& store_;
  HostPort& host_;
  Submitter submitter_;
  /// Every token seen, for the queue to put back; built before queue_, which uses it.
  TokenKeeper tokens_;
  EventQueue queue_;
  Scheduler scheduler_;
  DropCounters counters_;
  bool counters_dirty_ = false;
  bool outage_ = false;  ///< the delivery outage
  bool outage_dirty_ = false;
  bool queue_full_ = false;
  bool storage_refused_ = false;
  uint64_t storage_generation_ = 0;
  int64_t clock_offset_ms_ = 0;
  int64_t next_monitoring_ms_ = -1;
  uint32_t monitoring_request_id_ = 0;  ///< in flight, 0 = none
  std::string monitoring_event_id_;
  DropCounters monitoring_snapshot_;                   ///< what the in-flight report carries
  uint32_t next_monitoring_request_id_ = 0x80000000u;  ///< apart from batch ids
  uint64_t delivered_ = 0;
  uint64_t accepted_ = 0;
  std::string last_error_;
};

}  // namespace tep
