// A deterministic world for the producer: a fake clock, a fake collector
// with scriptable faults and latency, and the producer under test, so days
// of outages run in milliseconds without sleeping.
#pragma once

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "memory_file_store.h"
#include "producer.h"

namespace sim {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

/// The config the simulations run with: the defaults, with a batch interval
/// of `interval_ms` and monitoring every minute.
inline tep::ProducerConfig config(int64_t interval_ms = 30 * kSecond) {
  tep::ProducerConfig c = tep::default_producer_config();
  c.submitter.client.app_name = "sim";
  c.scheduler.batch_interval_ms = interval_ms;
  c.scheduler.backoff.max_delay_ms = std::max(kMinute, interval_ms);  // maxBackoffMs's default
  c.monitoring_interval_ms = kMinute;
  return c;
}

/// Decodes application/x-www-form-urlencoded text into name → value.
inline std::map<std::string, std::string> parse_form(const std::string& body) {
  auto decode = [](std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '+') {
        out += ' ';
      } else if (s[i] == '%' && i + 2 < s.size()) {
        out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
        i += 2;
      } else {
        out += s[i];
      }
    }
    return out;
  };
  std::map<std::string, std::string> fields;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string_view pair(body.data() + start, end - start);
    size_t eq = pair.find('=');
    if (eq != std::string::npos) fields[decode(pair.substr(0, eq))] = decode(pair.substr(eq + 1));
    start = end + 1;
  }
  return fields;
}

/// Ids and names of a SendMessageBatch body, in entry order.
struct Entry {
  std::string id;
  std::string name;
};
inline std::vector<Entry> entries_of(const std::string& body) {
  auto fields = parse_form(body);
  std::vector<Entry> entries;
  for (int i = 1;; ++i) {
    std::string prefix = "SendMessageBatchRequestEntry." + std::to_string(i);
    auto id = fields.find(prefix + ".Id");
    if (id == fields.end()) break;
    entries.push_back({id->second, fields[prefix + ".MessageAttribute.1.Value.StringValue"]});
  }
  return entries;
}

inline std::string accept_all(const std::vector<Entry>& entries) {
  std::string xml = "<SendMessageBatchResponse><SendMessageBatchResult>";
  for (const auto& e : entries) {
    xml += "<SendMessageBatchResultEntry><Id>" + e.id + "</Id></SendMessageBatchResultEntry>";
  }
  return xml + "</SendMessageBatchResult></SendMessageBatchResponse>";
}

/// What the collector does with one request, decided by the test.
struct Answer {
  tep::HttpOutcome outcome;
  int64_t latency_ms = 20;
  /// From the answer's status to its body read: the host tells the producer
  /// the status (on_answered) this long before the outcome.
  int64_t body_ms = 0;
  /// Ids the collector stored, even if the answer never arrives.
  std::vector<std::string> stored;
};

inline Answer healthy(const std::vector<Entry>& entries) {
  Answer a;
  a.outcome.kind = tep::HttpOutcome::Kind::kResponse;
  a.outcome.status = 200;
  a.outcome.body = accept_all(entries);
  for (const auto& e : entries) a.stored.push_back(e.id);
  return a;
}

inline Answer status(int code, std::string body = "", std::string retry_after = "") {
  Answer a;
  a.outcome.kind = tep::HttpOutcome::Kind::kResponse;
  a.outcome.status = code;
  a.outcome.body = std::move(body);
  a.outcome.retry_after = std::move(retry_after);
  return a;
}

inline Answer unreachable() {
  Answer a;
  a.outcome.kind = tep::HttpOutcome::Kind::kNetworkError;
  a.latency_ms = 5;
  return a;
}

/// A request the collector stores but whose answer never comes: the host's
/// 10 s timeout ends it.
inline Answer hang(const std::vector<Entry>& entries) {
  Answer a;
  a.outcome.kind = tep::HttpOutcome::Kind::kTimeout;
  a.latency_ms = 10000;
  for (const auto& e : entries) a.stored.push_back(e.id);
  return a;
}

struct SentRequest {
  tep::OutgoingRequest request;
  std::vector<Entry> entries;
  int64_t sent_at_ms;
};

class World final : public tep::HostPort {
 public:
  using Collector = std::function<Answer(const SentRequest&)>;

  explicit World(tep::ProducerConfig config, uint64_t seed = 1)
      : config_(std::move(config)), rng_(seed) {
    reopen();
  }

  /// A new producer on the same disk: a page reload or a crash of the worker.
  /// Requests in flight are lost with it (their answers never arrive).
  void reopen() {
    pending_.clear();
    in_flight_ids_.clear();
    producer_ = std::make_unique<tep::Producer>(config_, disk, *this);
    producer_->restore(now);
  }

  tep::Producer& producer() { return *producer_; }

  std::string send(const std::string& name, const std::string& category = "NECESSARY") {
    std::string json = R"({"name":")" + name + R"(","consentCategory":")" + category +
                       R"(","payload":{"n":)" + std::to_string(++sent_count) + "}}";
    producer_->send_event(json, now);
    producer_->persist_state();
    return json;
  }

  /// Advances time to `until_ms`, firing timers and answers in order.
  void run_until(int64_t until_ms) {
    for (int guard = 0; guard < 10000000; ++guard) {
      int64_t next = until_ms;
      int64_t wake = producer_->next_wake_ms(now);
      if (wake >= 0) next = std::min(next, std::max(wake, now));
      for (const auto& p : pending_) next = std::min(next, p.due_ms());
      if (next >= until_ms && now >= until_ms) break;
      now = std::max(now, next);
      // Answers due now first (a status before any body), then the timer.
      bool answered = false;
      for (size_t i = 0; i < pending_.size(); ++i) {
        if (!pending_[i].status_told && pending_[i].status_at_ms <= now) {
          pending_[i].status_told = true;
          // Copied: on_answered may send, which grows pending_.
          Pending p = pending_[i];
          if (p.outcome.kind == tep::HttpOutcome::Kind::kResponse) {
            producer_->on_answered(p.request_id, p.outcome.status, now);
          }
          answered = true;
          break;
        }
      }
      for (size_t i = 0; i < pending_.size() && !answered; ++i) {
        if (pending_[i].status_told && pending_[i].answer_at_ms <= now) {
          Pending p = pending_[i];
          pending_.erase(pending_.begin() + static_cast<long>(i));
          for (const auto& e : p.entries) in_flight_ids_.erase(e.id);
          producer_->on_response(p.request_id, p.outcome, now);
          answered = true;
          break;
        }
      }
      if (!answered) producer_->tick(now);
      producer_->persist_state();
      if (now >= until_ms && !answered) {
        bool more = std::any_of(pending_.begin(), pending_.end(),
                                [&](const Pending& p) { return p.due_ms() <= now; });
        if (!more) break;
      }
    }
  }

  // HostPort
  void send(const tep::OutgoingRequest& request) override {
    SentRequest sent{request, entries_of(request.body), now};
    for (const auto& e : sent.entries) {
      if (!in_flight_ids_.insert(e.id).second) duplicate_in_flight = true;
    }
    requests.push_back(sent);
    Answer answer = collector ? collector(sent) : healthy(sent.entries);
    // Monitoring reports are the producer's own events, kept apart (other
    // public requests carry queued events whose token is unknown).
    bool monitoring = request.public_only && sent.entries.size() == 1 &&
                      sent.entries[0].name == "tep-tl-monitoring";
    for (const auto& id : answer.stored) {
      if (monitoring) {
        ++monitoring_reports;
      } else if (!delivered.insert(id).second) {
        ++raw_duplicates;
      }
    }
    int64_t status_at = now + answer.latency_ms;
    pending_.push_back(
        {request.request_id, answer.outcome, status_at, status_at + answer.body_ms, sent.entries});
  }
  void publish(tep::BusMessage message, tep::OutageReason reason) override {
    if (reason == tep::OutageReason::kDelivery) bus.push_back(message);
    outages.emplace_back(message, reason);
  }
  void random_bytes(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(rng_());
  }
  void report_problem(std::string_view problem) override { problems.emplace_back(problem); }

  /// Ids the producer accepted into its queue (drawn from the requests and
  /// the queue, so tests can reconcile them with what was delivered).
  size_t queued() const { return producer_->queue().size(); }

  tep::MemoryFileStore disk;
  int64_t now = 1763000000000;
  Collector collector;
  std::vector<SentRequest> requests;
  std::set<std::string> delivered;
  size_t raw_duplicates = 0;
  size_t monitoring_reports = 0;
  bool duplicate_in_flight = false;
  std::vector<tep::BusMessage> bus;  ///< the delivery outage's messages
  std::vector<std::pair<tep::BusMessage, tep::OutageReason>> outages;  ///< every reason's
  std::vector<std::string> problems;
  int sent_count = 0;

 private:
  struct Pending {
    uint32_t request_id;
    tep::HttpOutcome outcome;
    int64_t status_at_ms;
    int64_t answer_at_ms;
    std::vector<Entry> entries;
    bool status_told = false;
    /// When the world next has something of this request to tell the producer.
    int64_t due_ms() const { return status_told ? answer_at_ms : status_at_ms; }
  };
  tep::ProducerConfig config_;
  std::mt19937_64 rng_;
  std::unique_ptr<tep::Producer> producer_;
  std::vector<Pending> pending_;
  std::set<std::string> in_flight_ids_;
};

/// Every event the producer accepted is delivered or counted, none twice in flight.
inline void require_nothing_lost(World& w, size_t sent, size_t counted = 0) {
  REQUIRE_FALSE(w.duplicate_in_flight);
  REQUIRE(w.producer().queue().size() == 0);
  REQUIRE(w.delivered.size() + counted == sent);
}

}  // namespace sim
