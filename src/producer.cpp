#include "producer.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <set>

#include "change_recording_file_store.h"
#include "character_encoding.h"
#include "error_ids.h"
#include "http_date.h"
#include "json_reader.h"
#include "send_message_batch.h"

namespace tep {
namespace {

constexpr const char* kCountersFile = "counters.json";
constexpr const char* kOutageFile = "outage.state";

// The Date header has a resolution of one second and arrives after some
// latency: differences below 2 s are noise, not a wrong client clock.
constexpr int64_t kClockSkewThresholdMs = 2000;
// The clock offset corrects device clocks set a time zone or a day wrong
// (time zones lie within UTC-12..UTC+14): at most ±24 h. A Date further off
// is far likelier a wrong header (a cached answer, a misconfigured proxy)
// than such a device, and moves the offset only as far as the bound.
constexpr int64_t kMaxClockOffsetMs = int64_t{24} * 60 * 60 * 1000;
// setTimeout fires at once for a delay above 2^31 - 1 ms (24.8 days), so the
// host is never asked to wait longer: it wakes early and is asked again.
constexpr int64_t kLongestTimerDelayMs = 2147483647;

}  // namespace

Producer::Producer(ProducerConfig config, FileStore& store, HostPort& host)
    : config_(std::move(config)),
      store_(store),
      host_(host),
      submitter_(config_.submitter),
      queue_(store, config_.queue, tokens_),
      scheduler_(config_.scheduler, queue_, submitter_.consent()) {}

RestoreSummary Producer::restore(int64_t now_ms) {
  RestoreReport report = queue_.restore(now_ms);
  RestoreSummary summary;
  summary.restored = report.restored;
  summary.corrupt_records = report.corrupt_records;
  summary.unreadable_files = report.unreadable_files;
  summary.expired = report.expired_names.size();

  std::string text;
  if (store_.read(kCountersFile, text)) counters_.from_json(text);
  if (store_.read(kOutageFile, text)) outage_ = text == "1";
  summary.outage = outage_;
  for (const auto& name : report.expired_names) count(DropReason::kStoringFailed, name);
  // A purge this store's last worker never heard of (it ended first, or the
  // purge was made in another tab): the consent carries it.
  // What the submitter would refuse now: no known category, too large
  // (checked when it was sent; a record can be damaged past its checksum).
  std::vector<std::string> malformed = queue_.remove_malformed(kMaxEventBytes);
  for (const auto& name : malformed) count(DropReason::kValidationFailed, name);
  summary.restored -= std::min(summary.restored, malformed.size());
  std::vector<std::string> purged = queue_.remove_purged(submitter_.consent());
  for (const auto& name : purged) count(DropReason::kConsentFiltered, name);
  summary.purged = purged.size();
  summary.restored -= std::min(summary.restored, summary.purged);

  if (!config_.feral_event_types.empty()) {
    std::set<std::string> feral(config_.feral_event_types.begin(), config_.feral_event_types.end());
    summary.feral =
        queue_.remove_if([&](const Event& e) { return feral.count(e.name) > 0; }).size();
    summary.restored -= std::min(summary.restored, summary.feral);
  }
  // After the purge, so what was purged isn't rewritten first.
  queue_.rewrite_earlier_formats();
  next_monitoring_ms_ = now_ms + config_.monitoring_interval_ms;
  ++storage_generation_;
  return summary;
}

AdoptReport Producer::adopt(FileStore& other_files, int64_t now_ms) {
  ChangeRecordingFileStore other(other_files);
  EventQueue orphan(other, config_.queue, tokens_);
  // Events carry the device's own time, as this queue's do: the TTL is
  // judged by the device clock, never by a collector's Date.
  RestoreReport found = orphan.restore(now_ms);
  AdoptReport report;
  report.unreadable_files = found.unreadable_files;
  report.damaged_records = found.corrupt_records;
  report.expired = found.expired_names.size();
  report.kept_files = std::move(found.left_alone);
  for (const auto& name : found.expired_names) count(DropReason::kStoringFailed, name);

  // Events are moved in order, a bounded slice at a time, so a big orphan
  // never needs a second copy of itself in memory. Each slice is removed
  // from the orphan once it is in this queue, so every slice is read from
  // the orphan's head: one pass over it.
  constexpr size_t kSlice = 256;
  bool full = false;
  while (!full) {
    auto slice = orphan.peek(kSlice, std::numeric_limits<size_t>::max(), nullptr);
    if (slice.empty()) break;
    std::vector<std::string> moved;
    for (auto& event : slice) {
      if (!queue_.contains(event.id)) {
        // A time after now can't be when it was sent (a clock set back): it
        // would keep the event, and those behind it, from ever being due.
        event.created_ms = std::min(event.created_ms, now_ms);
        // Through the submitter's checks, as if sent now: another release, a
        // damaged record or another tab's purge may have left it unsendable.
        if (auto refusal = submitter_.refusal_of_stored(event)) {
          count(*refusal, event.name);
          moved.push_back(event.id);
          continue;
        }
        if (queue_.append(event) != AppendResult::kStored) {
          full = true;  // the rest waits in the orphan until this queue has room
          break;
        }
        ++report.taken;
      }
      moved.push_back(event.id);
    }
    orphan.remove(moved);
  }
  report.remaining = orphan.size();
  // Records restore indexed but that could not be read back: lost, as tick() counts them.
  for (const auto& name : orphan.take_unreadable_names()) count(DropReason::kStoringFailed, name);

  for (const auto& name : other.list()) {
    if (EventQueue::owns_file(name)) continue;  // read by the orphan queue, or left alone above
    // The outage state is the gone tab's moment only, not worth keeping.
    if (name == kOutageFile) continue;
    if (name == kCountersFile) {
      std::string text;
      DropCounters adopted_counters;
      if (other.read(name, text) && adopted_counters.from_json(text)) {
        if (!adopted_counters.empty()) {
          counters_.merge(adopted_counters);
          counters_dirty_ = true;
        }
        other.remove(name);  // merged: a later adoption of what remains must not merge it again
        continue;
      }
    }
    // No file of this release's (a later release's, say, which may still
    // want it), or counters it can't read.
    report.kept_files.push_back(name);
  }
  report.changed_files = other.take_changed();
  ++storage_generation_;
  return report;
}

std::string Producer::new_id() {
  uint8_t bytes[16];
  host_.random_bytes(bytes, sizeof bytes);
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0F) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string id;
  id.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    id += lower_hex_digit(bytes[i] >> 4);
    id += lower_hex_digit(bytes[i] & 0xF);
  }
  return id;
}

double Producer::random01() {
  uint8_t bytes[4];
  host_.random_bytes(bytes, sizeof bytes);
  uint32_t value = (uint32_t(bytes[0]) << 24) | (uint32_t(bytes[1]) << 16) |
                   (uint32_t(bytes[2]) << 8) | bytes[3];
  return value / 4294967296.0;
}

void Producer::count(DropReason reason, std::string_view name, uint64_t n) {
  counters_.add(reason, name, n);
  counters_dirty_ = true;
  ++storage_generation_;
}

bool Producer::in_outage(OutageReason reason) const {
  switch (reason) {
    case OutageReason::kDelivery:
      return outage_;
    case OutageReason::kQueueFull:
      return queue_full_;
    case OutageReason::kStorage:
      return storage_refused_;
  }
  return false;
}

void Producer::set_outage(OutageReason reason, bool outage) {
  bool& state = reason == OutageReason::kDelivery    ? outage_
                : reason == OutageReason::kQueueFull ? queue_full_
                                                     : storage_refused_;
  if (state == outage) return;
  state = outage;
  // Only the delivery outage is the origin's and outlives a reload: a full
  // queue or a refused write is this queue's moment, told again by the next
  // event it can't take.
  if (reason == OutageReason::kDelivery) {
    outage_dirty_ = true;
    ++storage_generation_;
  }
  host_.publish(outage ? BusMessage::kOutageStart : BusMessage::kOutageEnd, reason);
}

void Producer::count_refused_on_page(DropReason reason, std::string_view name,
                                     std::string_view problem, uint64_t count_on_page) {
  count(reason, name.empty() ? "(unnamed)" : name, count_on_page);
  if (config_.submitter.strict_mode) host_.report_problem(problem);
}

void Producer::send_event(std::string_view event_json, int64_t now_ms,
                          const ConsentState* entry_consent) {
  int64_t now = corrected_now(now_ms);
  Submission submission = submitter_.submit(event_json, new_id(), now, entry_consent);
  if (!submission.event) {
    count(submission.reason, submission.name);
    if (config_.submitter.strict_mode) host_.report_problem(submission.problem);
    return;
  }
  // The headers carry the collector's time; the TTL and the batch interval
  // run on the device's own clock, which a wrong Date header can't move.
  submission.event->created_ms = now_ms;
  switch (queue_.append(*submission.event)) {
    case AppendResult::kStored:
      ++accepted_;
      ++storage_generation_;
      set_outage(OutageReason::kQueueFull, false);
      set_outage(OutageReason::kStorage, false);
      tick(now_ms);
      return;
    case AppendResult::kFull:
      last_error_ = error_text(error_ids::kStoreFull,
                               "the queue reached maxDiskUsageBytes; new events are dropped");
      set_outage(OutageReason::kQueueFull, true);
      break;
    case AppendResult::kStorageError:
      last_error_ =
          error_text(error_ids::kStoreFailed, "storage refused the write; the event is dropped");
      set_outage(OutageReason::kStorage, true);
      break;
  }
  count(DropReason::kStoringFailed, submission.name);
  if (config_.submitter.strict_mode) host_.report_problem(last_error_);
}

void Producer::start(const std::vector<OutgoingRequest>& batches) {
  for (const auto& batch : batches) host_.send(batch);
}

// The monitoring event for the counters, within the event size limit like
// any event. The counters' caps keep their payload to ~10 KiB; default
// headers so large that they leave no room for it (a huge appVersion, say)
// have every name counted under "(other)". None if even that doesn't fit.
std::optional<Event> Producer::monitoring_report(int64_t now_ms) {
  Event report = submitter_.monitoring_event(counters_.to_json(), new_id(), corrected_now(now_ms));
  if (submitted_event_bytes(report) < kMaxEventBytes) return report;
  counters_.fold_every_name();
  counters_dirty_ = true;
  ++storage_generation_;
  report.payload = counters_.to_json();
  if (submitted_event_bytes(report) < kMaxEventBytes) return report;
  last_error_ = error_text(error_ids::kMonitorTooLarge,
                           "the default headers leave no room for the drop counters");
  return std::nullopt;
}

void Producer::start_monitoring_if_due(int64_t now_ms) {
  if (next_monitoring_ms_ < 0) next_monitoring_ms_ = now_ms + config_.monitoring_interval_ms;
  if (now_ms < next_monitoring_ms_) return;
  next_monitoring_ms_ = now_ms + config_.monitoring_interval_ms;
  if (counters_.empty() || monitoring_request_id_ != 0) return;
  std::optional<Event> report = monitoring_report(now_ms);
  if (!report) return;
  monitoring_snapshot_ = counters_;
  monitoring_event_id_ = report->id;
  monitoring_request_id_ = next_monitoring_request_id_++;
  OutgoingRequest request;
  request.request_id = monitoring_request_id_;
  request.body = encode_send_message_batch({*report});
  request.event_count = 1;
  request.public_only = true;
  host_.send(request);
}

// The queue and the scheduler run on the device's clock: events are stamped
// with it (send_event), and only time differences matter to them.
void Producer::tick(int64_t now_ms) {
  if (config_.queue.ttl_ms > 0) {
    for (const auto& expired : queue_.expire(now_ms)) {
      // Held back by consent until it expired: consent is why it never left.
      ConsentCategory category = consent_category_of_built_headers(expired.headers);
      bool held_by_consent =
          category != ConsentCategory::kUnknown && !submitter_.consent().allows(category);
      count(held_by_consent ? DropReason::kConsentFiltered : DropReason::kStoringFailed,
            expired.name);
    }
  }
  start(scheduler_.due_batches(now_ms, false, random01()));
  for (const auto& name : queue_.take_unreadable_names()) count(DropReason::kStoringFailed, name);
  start_monitoring_if_due(now_ms);
}

void Producer::flush(int64_t now_ms) { start(scheduler_.due_batches(now_ms, true, random01())); }

void Producer::send_keepalive(size_t max_body_bytes, int64_t now_ms) {
  (void)now_ms;
  if (auto batch = scheduler_.keepalive_batch(max_body_bytes)) host_.send(*batch);
}

uint32_t Producer::claim_leaving_batch(const std::vector<std::string>& ids) {
  return scheduler_.claim_leaving_batch(ids).value_or(0);
}

std::string Producer::leaving_batch_body(size_t max_body_bytes) {
  return scheduler_.leaving_batch_body(max_body_bytes);
}

int64_t Producer::next_wake_ms(int64_t now_ms) const {
  int64_t wake = scheduler_.next_wake_ms(now_ms);
  if (!counters_.empty() && monitoring_request_id_ == 0 && next_monitoring_ms_ >= 0) {
    wake = wake < 0 ? next_monitoring_ms_ : std::min(wake, next_monitoring_ms_);
  }
  return wake < 0 ? -1 : std::min(wake, now_ms + kLongestTimerDelayMs);
}

void Producer::learn_clock(const HttpOutcome& outcome, int64_t now_ms) {
  if (outcome.date.empty()) return;
  auto server_ms = parse_http_date_ms(outcome.date);
  if (!server_ms) return;
  int64_t offset = std::clamp(*server_ms - now_ms, -kMaxClockOffsetMs, kMaxClockOffsetMs);
  if (std::llabs(offset) < kClockSkewThresholdMs) offset = 0;
  if (std::llabs(offset - clock_offset_ms_) >= kClockSkewThresholdMs || offset == 0) {
    clock_offset_ms_ = offset;
  }
}

void Producer::on_answered(uint32_t request_id, int status, int64_t now_ms) {
  if (request_id != 0 && request_id == monitoring_request_id_) return;
  if (scheduler_.on_answered(request_id, status)) {
    start(scheduler_.due_batches(now_ms, false, random01()));
  }
}

// The clock is learnt only from answers that confirm events: a portal, a
// proxy's error page or a cached response carries a Date of its own.
void Producer::on_response(uint32_t request_id, const HttpOutcome& outcome, int64_t now_ms) {
  if (request_id != 0 && request_id == monitoring_request_id_) {
    monitoring_request_id_ = 0;
    if (outcome.kind == HttpOutcome::Kind::kResponse && outcome.status >= 200 &&
        outcome.status < 300) {
      BatchResponse response = decode_batch_response(outcome.body);
      if (std::find(response.accepted.begin(), response.accepted.end(), monitoring_event_id_) !=
          response.accepted.end()) {
        counters_.subtract(monitoring_snapshot_);
        counters_dirty_ = true;
        ++storage_generation_;
        learn_clock(outcome, now_ms);
      }
    }
    return;
  }
  BatchVerdict verdict = scheduler_.on_outcome(request_id, outcome, now_ms, random01());
  if (!verdict.known) return;
  if (verdict.delivered > 0) learn_clock(outcome, now_ms);
  delivered_ += verdict.delivered;
  for (const auto& rejected : verdict.rejected) count(DropReason::kValidationFailed, rejected.name);
  if (!verdict.error.empty()) last_error_ = verdict.error;
  if (verdict.delivered > 0) set_outage(OutageReason::kDelivery, false);
  if (verdict.delivery_failed) set_outage(OutageReason::kDelivery, true);
  // What the collector settled left the queue: it has room again.
  if (verdict.delivered > 0 || !verdict.rejected.empty())
    set_outage(OutageReason::kQueueFull, false);
  ++storage_generation_;
  tick(now_ms);
}

void Producer::set_consent(ConsentState consent) {
  submitter_.set_consent(consent);
  for (const auto& name : queue_.remove_purged(consent)) count(DropReason::kConsentFiltered, name);
  // Events of a category allowed again may be due now.
  ++storage_generation_;
}

void Producer::set_credentials(Credentials credentials) {
  if (credentials.token && !credentials.token->empty()) tokens_.keep(*credentials.token);
  submitter_.set_credentials(std::move(credentials));
}

void Producer::retry_early(int64_t now_ms) {
  if (scheduler_.retry_early()) tick(now_ms);
}

void Producer::set_online(bool online, int64_t now_ms) {
  scheduler_.set_online(online);
  if (online) tick(now_ms);
}

void Producer::persist_state() {
  if (counters_dirty_) {
    if (store_.write(kCountersFile, counters_.to_json())) counters_dirty_ = false;
  }
  if (outage_dirty_) {
    if (store_.write(kOutageFile, outage_ ? "1" : "0")) outage_dirty_ = false;
  }
}

ProducerStats Producer::stats() const {
  ProducerStats s;
  s.queued = queue_.size();
  s.queued_bytes = queue_.disk_bytes();
  for (size_t c = 0; c < kConsentCategoryCount; ++c) {
    auto category = static_cast<ConsentCategory>(c);
    if (!submitter_.consent().allows(category)) s.held_by_consent += queue_.size_of(category);
  }
  s.in_flight_batches = scheduler_.in_flight_batches() + (monitoring_request_id_ ? 1 : 0);
  s.in_flight_events = scheduler_.in_flight_events();
  s.delivered = delivered_;
  s.accepted = accepted_;
  s.outage = outage_ || queue_full_ || storage_refused_;
  s.online = scheduler_.online();
  s.retry_at_ms = scheduler_.retry_at_ms();
  s.consecutive_failures = scheduler_.consecutive_failures();
  s.clock_offset_ms = clock_offset_ms_;
  s.counters = counters_;
  s.last_error = last_error_;
  return s;
}

}  // namespace tep
