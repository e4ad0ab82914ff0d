// The one file that exposes the core to the worker's JavaScript: C exports
// called from worker/core-api.js, and the HostPort implemented with
// calls back into it (Module.host). Everything else in the core is plain C++;
// its files are on Emscripten's file system, in a folder that the worker
// mounts with IDBFS (worker/stored-folders.post.js).
#include <emscripten/emscripten.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "change_recording_file_store.h"
#include "directory_file_store.h"
#include "producer.h"
#include "stats_json.h"

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
// reason: 0 delivery, 1 queue full, 2 storage (tep::OutageReason's order).
EM_JS(void, host_publish, (int outage, int reason), {
  Module["host"]["publish"](!!outage, ["delivery", "queue_full", "storage"][reason]);
});
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
  void publish(tep::BusMessage message, tep::OutageReason reason) override {
    host_publish(message == tep::BusMessage::kOutageStart, static_cast<int>(reason));
  }
  void random_bytes(uint8_t* out, size_t size) override { host_random_bytes(out, size); }
  void report_problem(std::string_view problem) override {
    host_report_problem(problem.data(), problem.size());
  }
};

struct Instance {
  std::unique_ptr<tep::DirectoryFileStore> files;
  // The worker stores in IndexedDB just the files this records as changed.
  std::unique_ptr<tep::ChangeRecordingFileStore> store;
  WorkerHost host;
  std::unique_ptr<tep::Producer> producer;
};
Instance* instance = nullptr;
std::string reply;  // the last string returned to JS; valid until the next call

}  // namespace

extern "C" {

/// Creates the producer from the app's config (JSON, in TIDAL's names; see
/// producer_config.h) on the folder `folder`. 0 on success, 1 if the config
/// is not a JSON object.
EMSCRIPTEN_KEEPALIVE int tep_create(const char* config_json, const char* folder) {
  auto config = tep::read_producer_config(config_json);
  if (!config) return 1;

  delete instance;
  instance = new Instance();
  instance->files = std::make_unique<tep::DirectoryFileStore>(folder);
  instance->store = std::make_unique<tep::ChangeRecordingFileStore>(*instance->files);
  instance->producer =
      std::make_unique<tep::Producer>(std::move(*config), *instance->store, instance->host);
  return 0;
}

/// Loads the stored queue; returns a JSON summary.
EMSCRIPTEN_KEEPALIVE const char* tep_restore(double now_ms) {
  reply = tep::restore_summary_json(instance->producer->restore(static_cast<int64_t>(now_ms)));
  return reply.c_str();
}

/// Takes over the queue stored in `folder` (a closed tab's); returns what it
/// found as JSON (adopt_report_json), whose keptFiles the worker must keep
/// before it deletes that folder's database.
EMSCRIPTEN_KEEPALIVE const char* tep_adopt(const char* folder, double now_ms) {
  tep::DirectoryFileStore other(folder);
  reply = tep::adopt_report_json(instance->producer->adopt(other, static_cast<int64_t>(now_ms)));
  return reply.c_str();
}

/// Submits the events of one hand-over of the page in one call: their JSON
/// texts joined with '\n' (JSON.stringify escapes every control character,
/// so no text holds one; a text that does anyway is split and its parts
/// fail validation, counted).
/// entry_blocked: the categories blocked when the app sent them, a bit each
/// (1 PERFORMANCE, 2 TARGETING), or -1 for the consent in force.
EMSCRIPTEN_KEEPALIVE void tep_send_events(const char* joined, size_t length, double now_ms,
                                          int entry_blocked) {
  auto now = static_cast<int64_t>(now_ms);
  tep::ConsentState entry;
  entry.performance_blocked = (entry_blocked & 1) != 0;
  entry.targeting_blocked = (entry_blocked & 2) != 0;
  const tep::ConsentState* entry_consent = entry_blocked < 0 ? nullptr : &entry;
  std::string_view rest(joined, length);
  while (true) {
    size_t end = rest.find('\n');
    instance->producer->send_event(rest.substr(0, end), now, entry_consent);
    if (end == std::string_view::npos) break;
    rest.remove_prefix(end + 1);
  }
}

/// reason: 0 not serialisable (validationFailed); 1 held too long before
/// init (storingFailed); 2 purged on the page by a consent change made
/// before init finished (consentFiltered).
EMSCRIPTEN_KEEPALIVE void tep_count_refused_on_page(const char* name, const char* problem,
                                                    int reason, double count) {
  auto drop = reason == 2   ? tep::DropReason::kConsentFiltered
              : reason == 1 ? tep::DropReason::kStoringFailed
                            : tep::DropReason::kValidationFailed;
  instance->producer->count_refused_on_page(drop, name, problem, static_cast<uint64_t>(count));
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

/// The page sent its leaving batch itself: its event ids, joined by '\n'.
/// Returns the id of the keepalive request that now holds them (0: none).
EMSCRIPTEN_KEEPALIVE uint32_t tep_claim_leaving_batch(const char* joined, size_t length) {
  std::vector<std::string> ids;
  std::string_view rest(joined, length);
  while (!rest.empty()) {
    size_t end = std::min(rest.find('\n'), rest.size());
    ids.emplace_back(rest.substr(0, end));
    rest.remove_prefix(std::min(end + 1, rest.size()));
  }
  return instance->producer->claim_leaving_batch(ids);
}

/// The body of the batch the page sends itself while it unloads, or "".
EMSCRIPTEN_KEEPALIVE const char* tep_leaving_batch(double max_body_bytes) {
  reply = instance->producer->leaving_batch_body(static_cast<size_t>(max_body_bytes));
  return reply.c_str();
}

EMSCRIPTEN_KEEPALIVE double tep_next_wake(double now_ms) {
  return static_cast<double>(instance->producer->next_wake_ms(static_cast<int64_t>(now_ms)));
}

/// The answer's status, before its body is read (Producer::on_answered).
EMSCRIPTEN_KEEPALIVE void tep_on_answered(uint32_t id, int status, double now_ms) {
  instance->producer->on_answered(id, status, static_cast<int64_t>(now_ms));
}

/// kind: 0 response, 1 network error, 2 timeout, 3 unread (no memory for the
/// answer: body, retry_after and date are null).
EMSCRIPTEN_KEEPALIVE void tep_on_response(uint32_t id, int kind, int status, const char* body,
                                          size_t body_length, const char* retry_after,
                                          const char* date, double now_ms) {
  tep::HttpOutcome outcome;
  outcome.kind = kind == 0   ? tep::HttpOutcome::Kind::kResponse
                 : kind == 2 ? tep::HttpOutcome::Kind::kTimeout
                 : kind == 3 ? tep::HttpOutcome::Kind::kUnread
                             : tep::HttpOutcome::Kind::kNetworkError;
  outcome.status = status;
  if (body != nullptr) outcome.body.assign(body, body_length);
  if (retry_after != nullptr) outcome.retry_after = retry_after;
  if (date != nullptr) outcome.date = date;
  instance->producer->on_response(id, outcome, static_cast<int64_t>(now_ms));
}

namespace {

/// A purge time from JS: a number of ms, -Infinity (nothing purged) or
/// Infinity (everything of the category, while it stays blocked).
int64_t purge_time(double ms) {
  // 2^62 ms is millions of years: any larger number means "everything".
  constexpr double kForever = 4.6e18;
  if (std::isnan(ms) || ms <= -kForever) return tep::kNothingPurged;
  if (ms >= kForever) return tep::kEverythingPurged;
  return static_cast<int64_t>(ms);
}

}  // namespace

/// The site's consent (web/site-consent.js): blocked flags, and the purge
/// time of each category (ConsentState).
EMSCRIPTEN_KEEPALIVE void tep_set_consent(int performance_blocked, int targeting_blocked,
                                          double performance_purged_before_ms,
                                          double targeting_purged_before_ms) {
  tep::ConsentState consent;
  consent.performance_blocked = performance_blocked != 0;
  consent.targeting_blocked = targeting_blocked != 0;
  consent.performance_purged_before_ms = purge_time(performance_purged_before_ms);
  consent.targeting_purged_before_ms = purge_time(targeting_purged_before_ms);
  instance->producer->set_consent(consent);
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

/// Names of the queue's files changed since the last call, joined by '\n'
/// (no file name contains one); valid until the next call that returns a string.
EMSCRIPTEN_KEEPALIVE const char* tep_take_changed_files() {
  reply.clear();
  for (const auto& name : instance->store->take_changed()) {
    if (!reply.empty()) reply += '\n';
    reply += name;
  }
  return reply.c_str();
}

EMSCRIPTEN_KEEPALIVE double tep_storage_generation() {
  return static_cast<double>(instance->producer->storage_generation());
}

EMSCRIPTEN_KEEPALIVE int tep_outage() { return instance->producer->outage() ? 1 : 0; }

/// Another tab got a delivery through (Producer::retry_early).
EMSCRIPTEN_KEEPALIVE void tep_retry_early(double now_ms) {
  instance->producer->retry_early(static_cast<int64_t>(now_ms));
}

/// getStats() as JSON.
EMSCRIPTEN_KEEPALIVE const char* tep_stats() {
  reply = tep::stats_json(instance->producer->stats());
  return reply.c_str();
}

}  // extern "C"
