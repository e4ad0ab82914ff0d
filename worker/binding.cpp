// The one file that exposes the core to the worker's JavaScript: C exports
// called from worker/producer-worker.js, and the HostPort implemented with
// calls back into it (Module.host). Everything else in the core is plain C++;
// its files are the worker's (worker_file_store.h).
#include <emscripten/emscripten.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "json_text.h"
#include "producer.h"
#include "worker_file_store.h"

// clang-format off
EM_JS(void, host_send, (uint32_t id, const char* body, size_t body_length, size_t event_count,
                        int public_only, int keepalive, int refresh_credentials,
                        const char* sub_status), {
  Module["host"]["send"]({
    "id": id, "body": UTF8ToString(body, body_length), "eventCount": event_count,
    "publicOnly": !!public_only, "keepalive": !!keepalive,
    "refreshCredentials": !!refresh_credentials, "subStatus": UTF8ToString(sub_status)
  });
});
EM_JS(void, host_publish, (int outage), { Module["host"]["publish"](!!outage); });
EM_JS(void, host_report_problem, (const char* text, size_t length), {
  Module["host"]["problem"](UTF8ToString(text, length));
});
EM_JS(void, host_random_bytes, (uint8_t* out, size_t size), {
  crypto.getRandomValues(HEAPU8.subarray(out, out + size));
});
// clang-format on

namespace {

class WorkerHost final : public tep::HostPort {
 public:
  void send(const tep::OutgoingRequest& r) override {
    host_send(r.request_id, r.body.data(), r.body.size(), r.event_count, r.public_only, r.keepalive,
              r.refresh_credentials, r.credentials_sub_status.c_str());
  }
  void publish(tep::BusMessage message) override {
    host_publish(message == tep::BusMessage::kOutageStart);
  }
  void random_bytes(uint8_t* out, size_t size) override { host_random_bytes(out, size); }
  void report_problem(std::string_view problem) override {
    host_report_problem(problem.data(), problem.size());
  }
};

struct Instance {
  std::unique_ptr<tep::WorkerFileStore> store;
  WorkerHost host;
  std::unique_ptr<tep::Producer> producer;
};
Instance* instance = nullptr;
std::string reply;  // the last string returned to JS; valid until the next call

std::optional<std::string> string_member(const std::vector<tep::JsonMember>& members,
                                         std::string_view key) {
  for (const auto& m : members) {
    if (m.key == key) return tep::decode_json_string(m.raw_value);
  }
  return std::nullopt;
}

// Whole, non-negative numbers only (the page rounds them): strtod would pull
// long-double arithmetic into the wasm for nothing.
int64_t number_member(const std::vector<tep::JsonMember>& members, std::string_view key,
                      int64_t fallback) {
  for (const auto& m : members) {
    if (m.key != key) continue;
    int64_t value = 0;
    for (char c : m.raw_value) {
      if (c < '0' || c > '9' || value > (INT64_MAX - 9) / 10) return fallback;
      value = value * 10 + (c - '0');
    }
    return m.raw_value.empty() ? fallback : value;
  }
  return fallback;
}

bool bool_member(const std::vector<tep::JsonMember>& members, std::string_view key) {
  for (const auto& m : members) {
    if (m.key == key) return m.raw_value == "true";
  }
  return false;
}

std::vector<std::string> string_list_member(const std::vector<tep::JsonMember>& members,
                                            std::string_view key) {
  std::vector<std::string> out;
  for (const auto& m : members) {
    if (m.key != key) continue;
    // The worker passes the list as an object {name: true}, which the scanner reads.
    if (auto names = tep::scan_json_object(m.raw_value)) {
      for (const auto& n : *names) out.push_back(n.key);
    }
  }
  return out;
}

}  // namespace

extern "C" {

/// Creates the producer from the worker's normalised config (flat JSON
/// object, see producer-worker.js) on the folder `folder`. 0 on success.
EMSCRIPTEN_KEEPALIVE int tep_create(const char* config_json, const char* folder) {
  auto members = tep::scan_json_object(config_json);
  if (!members) return 1;
  tep::ProducerConfig config;
  auto& client = config.submitter.client;
  client.app_name = string_member(*members, "appName");
  client.app_version = string_member(*members, "appVersion");
  client.browser_name = string_member(*members, "browserName");
  client.browser_version = string_member(*members, "browserVersion");
  client.os_name = string_member(*members, "osName");
  client.os_version = string_member(*members, "osVersion");
  client.device_vendor = string_member(*members, "deviceVendor");
  client.device_model = string_member(*members, "deviceModel");
  config.submitter.consent.performance_blocked = bool_member(*members, "performanceBlocked");
  config.submitter.consent.targeting_blocked = bool_member(*members, "targetingBlocked");
  config.submitter.strict_mode = bool_member(*members, "strictMode");
  config.queue.max_disk_bytes =
      static_cast<uint64_t>(number_member(*members, "maxDiskUsageBytes", 5 * 1024 * 1024));
  config.queue.ttl_ms = static_cast<int64_t>(number_member(*members, "eventTtlMs", 0));
  config.scheduler.batch_interval_ms =
      static_cast<int64_t>(number_member(*members, "eventBatchInterval", 30000));
  config.scheduler.backoff.max_delay_ms = config.scheduler.batch_interval_ms;
  config.scheduler.max_in_flight =
      static_cast<size_t>(number_member(*members, "maxInFlightBatches", 1));
  config.monitoring_interval_ms =
      static_cast<int64_t>(number_member(*members, "monitoringInterval", 60000));
  config.feral_event_types = string_list_member(*members, "feralEventTypes");

  delete instance;
  instance = new Instance();
  instance->store = std::make_unique<tep::WorkerFileStore>(folder);
  instance->producer =
      std::make_unique<tep::Producer>(std::move(config), *instance->store, instance->host);
  return 0;
}

/// Loads the stored queue; returns a JSON summary.
EMSCRIPTEN_KEEPALIVE const char* tep_restore(double now_ms) {
  auto s = instance->producer->restore(static_cast<int64_t>(now_ms));
  reply = "{\"restored\":" + std::to_string(s.restored) +
          ",\"corruptRecords\":" + std::to_string(s.corrupt_records) +
          ",\"unreadableFiles\":" + std::to_string(s.unreadable_files) +
          ",\"expired\":" + std::to_string(s.expired) + ",\"feral\":" + std::to_string(s.feral) +
          ",\"outage\":" + (instance->producer->outage() ? "true" : "false") + "}";
  return reply.c_str();
}

/// Takes over the queue stored in `folder` (a closed tab's); returns how many events.
EMSCRIPTEN_KEEPALIVE double tep_adopt(const char* folder, double now_ms) {
  tep::WorkerFileStore other(folder);
  return static_cast<double>(instance->producer->adopt(other, static_cast<int64_t>(now_ms)));
}

EMSCRIPTEN_KEEPALIVE void tep_send_event(const char* json, size_t length, double now_ms) {
  instance->producer->send_event(std::string_view(json, length), static_cast<int64_t>(now_ms));
}

/// storing = 1: held too long before init (storingFailed); 0: not serialisable (validationFailed).
EMSCRIPTEN_KEEPALIVE void tep_count_refused_on_page(const char* name, const char* problem,
                                                    int storing, double count) {
  instance->producer->count_refused_on_page(
      storing ? tep::DropReason::kStoringFailed : tep::DropReason::kValidationFailed, name, problem,
      static_cast<uint64_t>(count));
}

EMSCRIPTEN_KEEPALIVE void tep_tick(double now_ms) {
  instance->producer->tick(static_cast<int64_t>(now_ms));
}

EMSCRIPTEN_KEEPALIVE void tep_flush(double now_ms) {
  instance->producer->flush(static_cast<int64_t>(now_ms));
}

EMSCRIPTEN_KEEPALIVE void tep_send_keepalive(double max_body_bytes, double now_ms) {
  instance->producer->send_keepalive(static_cast<size_t>(max_body_bytes),
                                     static_cast<int64_t>(now_ms));
}

EMSCRIPTEN_KEEPALIVE double tep_next_wake(double now_ms) {
  return static_cast<double>(instance->producer->next_wake_ms(static_cast<int64_t>(now_ms)));
}

/// kind: 0 response, 1 network error, 2 timeout.
EMSCRIPTEN_KEEPALIVE void tep_on_response(uint32_t id, int kind, int status, const char* body,
                                          size_t body_length, const char* retry_after,
                                          const char* date, double now_ms) {
  tep::HttpOutcome outcome;
  outcome.kind = kind == 0   ? tep::HttpOutcome::Kind::kResponse
                 : kind == 2 ? tep::HttpOutcome::Kind::kTimeout
                             : tep::HttpOutcome::Kind::kNetworkError;
  outcome.status = status;
  outcome.body.assign(body, body_length);
  outcome.retry_after = retry_after;
  outcome.date = date;
  instance->producer->on_response(id, outcome, static_cast<int64_t>(now_ms));
}

EMSCRIPTEN_KEEPALIVE void tep_set_consent(int performance_blocked, int targeting_blocked,
                                          int purge) {
  instance->producer->set_consent({performance_blocked != 0, targeting_blocked != 0}, purge != 0);
}

/// Null pointers mean "not given".
EMSCRIPTEN_KEEPALIVE void tep_set_credentials(const char* client_id, const char* token) {
  tep::Credentials credentials;
  if (client_id) credentials.client_id = client_id;
  if (token && *token) credentials.token = token;
  instance->producer->set_credentials(std::move(credentials));
}

EMSCRIPTEN_KEEPALIVE void tep_set_online(int online, double now_ms) {
  instance->producer->set_online(online != 0, static_cast<int64_t>(now_ms));
}

EMSCRIPTEN_KEEPALIVE void tep_persist_state() { instance->producer->persist_state(); }

EMSCRIPTEN_KEEPALIVE double tep_storage_generation() {
  return static_cast<double>(instance->producer->storage_generation());
}

EMSCRIPTEN_KEEPALIVE int tep_outage() { return instance->producer->outage() ? 1 : 0; }

EMSCRIPTEN_KEEPALIVE double tep_corrected_now(double now_ms) {
  return static_cast<double>(instance->producer->corrected_now(static_cast<int64_t>(now_ms)));
}

/// getStats() as JSON.
EMSCRIPTEN_KEEPALIVE const char* tep_stats() {
  auto s = instance->producer->stats();
  reply = "{\"queued\":" + std::to_string(s.queued) +
          ",\"queuedBytes\":" + std::to_string(s.queued_bytes) +
          ",\"inFlightBatches\":" + std::to_string(s.in_flight_batches) +
          ",\"inFlightEvents\":" + std::to_string(s.in_flight_events) +
          ",\"delivered\":" + std::to_string(s.delivered) +
          ",\"accepted\":" + std::to_string(s.accepted) +
          ",\"outage\":" + (s.outage ? "true" : "false") +
          ",\"online\":" + (s.online ? "true" : "false") +
          ",\"retryAt\":" + std::to_string(s.retry_at_ms) +
          ",\"consecutiveFailures\":" + std::to_string(s.consecutive_failures) +
          ",\"clockOffsetMs\":" + std::to_string(instance->producer->clock_offset_ms()) +
          ",\"counters\":" + s.counters_json + ",\"lastError\":";
  if (s.last_error.empty()) {
    reply += "null";
  } else {
    tep::append_json_string(reply, s.last_error);
  }
  reply += '}';
  return reply.c_str();
}

}  // extern "C"
