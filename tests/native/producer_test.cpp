// The producer as a whole keeps bearer tokens out of its store: events are
// stored without them and sent with them while the worker knows them, across
// reloads, stores of the earlier format and adopted stores. The scheduler's
// simulations of the producer are in scheduler_test.cpp.
#include "producer.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earlier_release_store.h"
#include "simulated_world.h"

using sim::SentRequest;
using sim::World;

namespace {

constexpr int64_t kMinute = 60 * 1000;
const std::string kToken = "eyJ0eXAiOiJKV1QifQ.token-of-user-42.c2ln+/=";
const std::string kClientId = "producer-test-client";

tep::ProducerConfig config() {
  tep::ProducerConfig c = tep::default_producer_config();
  c.submitter.client.app_name = "sim";
  c.scheduler.batch_interval_ms = 30 * 1000;
  c.scheduler.backoff.max_delay_ms = 30 * 1000;
  return c;
}

tep::Credentials logged_in(const std::string& token) { return {kClientId, token}; }
tep::Credentials logged_out() { return {kClientId, std::nullopt}; }

// The headers the Submitter gives an event sent at `sent_ms` with `credentials`.
std::string headers_at_submit(const tep::Credentials& credentials, int64_t sent_ms) {
  return *tep::build_headers(config().submitter.client, credentials, true, "NECESSARY", sent_ms,
                             {});
}

// The headers JSON of every event in the batches the collector received.
std::vector<std::string> headers_received(const World& w) {
  std::vector<std::string> headers;
  for (const auto& r : w.requests) {
    if (r.request.public_only) continue;
    auto fields = sim::parse_form(r.request.body);
    for (size_t i = 1; i <= r.entries.size(); ++i) {
      headers.push_back(fields["SendMessageBatchRequestEntry." + std::to_string(i) +
                               ".MessageAttribute.2.Value.StringValue"]);
    }
  }
  return headers;
}

// Holds `count` events sent now with `credentials` in the store of `w`,
// the collector down; returns when they were sent.
int64_t store_during_outage(World& w, const tep::Credentials& credentials, int count) {
  w.producer().set_credentials(credentials);
  w.collector = [](const SentRequest&) { return sim::unreachable(); };
  int64_t sent_at = w.now;
  for (int i = 0; i < count; ++i) w.send("play");
  w.run_until(w.now + 5 * kMinute);
  REQUIRE(w.producer().queue().size() == static_cast<size_t>(count));
  return sent_at;
}

// Brings the collector back and sends what is queued; returns the headers it received.
std::vector<std::string> deliver(World& w) {
  w.collector = nullptr;
  w.requests.clear();
  w.producer().flush(w.now);
  w.run_until(w.now + 5 * kMinute);
  REQUIRE(w.producer().queue().size() == 0);
  return headers_received(w);
}

}  // namespace

TEST_CASE("A logged-in user's events are stored without the token and sent with it as submitted") {
  World w(config());
  int64_t sent_at = store_during_outage(w, logged_in(kToken), 3);
  CHECK_FALSE(w.disk.any_file_holds(kToken));
  auto headers = deliver(w);
  REQUIRE(headers.size() == 3);
  for (const auto& h : headers) CHECK(h == headers_at_submit(logged_in(kToken), sent_at));
  CHECK(w.delivered.size() == 3);
}

TEST_CASE("After a reload, events are sent with their token if the provider gives it again") {
  World w(config());
  int64_t sent_at = store_during_outage(w, logged_in(kToken), 3);
  w.reopen();
  w.producer().set_credentials(logged_in(kToken));
  auto headers = deliver(w);
  REQUIRE(headers.size() == 3);
  for (const auto& h : headers) CHECK(h == headers_at_submit(logged_in(kToken), sent_at));
}

TEST_CASE(
    "After a reload, events whose token is no longer known go in the logged-out form and none is "
    "lost") {
  World w(config());
  int64_t sent_at = store_during_outage(w, logged_in(kToken), 3);
  w.reopen();
  w.producer().set_credentials(logged_in("a-token-issued-after-the-reload"));
  auto headers = deliver(w);
  REQUIRE(headers.size() == 3);
  for (const auto& h : headers) CHECK(h == headers_at_submit(logged_out(), sent_at));
  CHECK(w.delivered.size() == 3);
  CHECK_FALSE(w.disk.any_file_holds("a-token-issued-after-the-reload"));
}

TEST_CASE("A store of the earlier format is delivered whole and afterwards holds no token") {
  World w(config());
  tep::EarlierReleaseSegment segment;
  std::vector<std::string> stored_headers;
  for (int i = 0; i < 4; ++i) {
    auto credentials = i == 2 ? logged_out() : logged_in(kToken);
    stored_headers.push_back(headers_at_submit(credentials, w.now - 1000 + i));
    segment.add(tep::Event{"old-" + std::to_string(i), "play", stored_headers.back(),
                           R"({"name":"play","payload":{}})", w.now - 1000 + i, 0});
  }
  segment.write_to(w.disk.files, 1);
  w.reopen();
  CHECK_FALSE(w.disk.any_file_holds(kToken));
  CHECK(w.producer().queue().size() == 4);
  auto headers = deliver(w);
  CHECK(headers == stored_headers);
}

TEST_CASE("An adopted store of the earlier format is taken over without its tokens") {
  World w(config());
  tep::MemoryFileStore orphan;
  tep::EarlierReleaseSegment segment;
  std::string stored_headers = headers_at_submit(logged_in(kToken), w.now);
  segment.add(tep::Event{"orphan-0", "play", stored_headers, R"({"name":"play"})", w.now, 0});
  segment.write_to(orphan.files, 1);
  CHECK(w.producer().adopt(orphan, w.now).taken == 1);
  CHECK_FALSE(w.disk.any_file_holds(kToken));
  auto headers = deliver(w);
  CHECK(headers == std::vector<std::string>{stored_headers});
}

TEST_CASE("An adopted event whose token this worker never saw goes in the logged-out form") {
  World other_tab(config());
  int64_t sent_at = store_during_outage(other_tab, logged_in(kToken), 2);
  World w(config());
  w.producer().set_credentials(logged_in("this-tabs-own-token"));
  CHECK(w.producer().adopt(other_tab.disk, w.now).taken == 2);
  auto headers = deliver(w);
  REQUIRE(headers.size() == 2);
  for (const auto& h : headers) CHECK(h == headers_at_submit(logged_out(), sent_at));
}

namespace {

// A gone tab's store, written by its queue: one segment holding an event
// older than the adopter's TTL, a live event and a damaged one; beside it a
// segment of a newer format version, a file of a name this release doesn't
// know, and the gone tab's unreported drop counters.
struct GoneTabStore {
  tep::MemoryFileStore disk;
  std::string newer_version_segment =
      std::string("TEPQ\x09\x01\0\0", 8) + "events of a newer release";
  std::string unknown_file = "whatever a later release keeps here";

  GoneTabStore(int64_t now_ms, int64_t ttl_ms) {
    tep::TokenKeeper tokens;
    tep::QueueLimits limits = config().queue;
    tep::EventQueue queue(disk, limits, tokens);
    queue.append({"expired-0", "stale", "{}", R"({"name":"stale"})", now_ms - 2 * ttl_ms, 0});
    queue.append({"live-0", "play", "{}", R"({"name":"play"})", now_ms, 0});
    queue.append({"damaged-0", "play", "{}", R"({"name":"play"})", now_ms, 0});
    // The last record's payload loses its last byte's value: its CRC fails.
    std::string& log = disk.files.at("seg-0000000000000001.log");
    log.back() = static_cast<char>(log.back() ^ 0x5A);
    disk.files["seg-0000000000000002.log"] = newer_version_segment;
    disk.files["index.v9"] = unknown_file;
    tep::DropCounters counters;
    counters.add(tep::DropReason::kConsentFiltered, "ad-click", 2);
    counters.add(tep::DropReason::kStoringFailed, "play", 1);
    disk.files["counters.json"] = counters.to_json();
  }
};

tep::ProducerConfig config_with_ttl(int64_t ttl_ms) {
  tep::ProducerConfig c = config();
  c.queue.ttl_ms = ttl_ms;
  return c;
}

}  // namespace

TEST_CASE("Adopting a store merges its unreported drop counters and counts its expired events") {
  constexpr int64_t kTtl = 60 * kMinute;
  World w(config_with_ttl(kTtl));
  GoneTabStore gone(w.now, kTtl);
  w.producer().adopt(gone.disk, w.now);
  const tep::DropCounters& counters = w.producer().counters();
  CHECK(counters.total(tep::DropReason::kConsentFiltered) == 2);
  // The gone tab's own storing failure, and its event expired by the TTL.
  CHECK(counters.total(tep::DropReason::kStoringFailed) == 2);
  CHECK(counters.to_json_value()["storingFailedEvents"]["stale"] == 1);
  // The merged counters are this producer's now: persisted with its own, and
  // reported by its monitoring event, after which none are left.
  w.producer().persist_state();
  CHECK(w.disk.files.at("counters.json") == counters.to_json());
  w.run_until(w.now + config().monitoring_interval_ms + kMinute);
  CHECK(w.monitoring_reports == 1);
  CHECK(w.producer().counters().empty());
}

TEST_CASE("Adopting a store reports the files it could not read as kept, and takes its events") {
  constexpr int64_t kTtl = 60 * kMinute;
  World w(config_with_ttl(kTtl));
  GoneTabStore gone(w.now, kTtl);
  tep::AdoptReport report = w.producer().adopt(gone.disk, w.now);
  CHECK(report.taken == 1);
  CHECK(report.unreadable_files == 1);
  CHECK(report.damaged_records == 1);
  CHECK(report.expired == 1);
  CHECK(report.must_keep());
  std::vector<std::string> kept = report.kept_files;
  std::sort(kept.begin(), kept.end());
  CHECK(kept == std::vector<std::string>{"index.v9", "seg-0000000000000002.log"});
  // Adoption reads the other store and leaves what it could not read as it was.
  CHECK(gone.disk.files.at("seg-0000000000000002.log") == gone.newer_version_segment);
  CHECK(gone.disk.files.at("index.v9") == gone.unknown_file);
  CHECK(w.producer().queue().contains("live-0"));
  CHECK(deliver(w).size() == 1);
}

TEST_CASE("Adopting a store of readable files only keeps nothing") {
  World other_tab(config());
  store_during_outage(other_tab, logged_out(), 2);
  World w(config());
  tep::AdoptReport report = w.producer().adopt(other_tab.disk, w.now);
  CHECK(report.taken == 2);
  CHECK(report.unreadable_files == 0);
  CHECK(report.kept_files.empty());
  CHECK_FALSE(report.must_keep());
}

TEST_CASE("Adopted counters this release can't read are kept, not merged") {
  World w(config());
  tep::MemoryFileStore gone;
  gone.files["counters.json"] = R"({"storingFailedEvents":{"play":1},"laterReason":{"x":1}})";
  tep::AdoptReport report = w.producer().adopt(gone, w.now);
  CHECK(report.kept_files == std::vector<std::string>{"counters.json"});
  CHECK(w.producer().counters().empty());
}
