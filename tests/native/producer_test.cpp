// The producer as a whole, in a simulated world: it keeps bearer tokens out
// of its store (events are stored without them and sent with them while the
// worker knows them, across reloads, stores of the earlier format and adopted
// stores), reports its drop counters, learns the collector's clock, purges by
// consent and restores its state. Batching and retries are in scheduler_test.cpp.
// Longer than most (~500 lines): each of those concerns needs its world set up.
#include "producer.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "earlier_release_store.h"
#include "simulated_world.h"

using sim::SentRequest;
using sim::World;

namespace {

using sim::Answer;
using sim::config;
using sim::kHour;
using sim::kMinute;
using sim::kSecond;
using sim::require_nothing_lost;

const std::string kToken = "eyJ0eXAiOiJKV1QifQ.token-of-user-42.c2ln+/=";
const std::string kClientId = "producer-test-client";

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
    if (r.request.public_only && r.entries.front().name == "tep-tl-monitoring") continue;
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

// The least headers an event has in a queue: its consent category.
constexpr const char* kNecessaryHeaders = R"({"consent-category":"NECESSARY"})";

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
    queue.append(
        {"expired-0", "stale", kNecessaryHeaders, R"({"name":"stale"})", now_ms - 2 * ttl_ms, 0});
    queue.append({"live-0", "play", kNecessaryHeaders, R"({"name":"play"})", now_ms, 0});
    queue.append({"damaged-0", "play", kNecessaryHeaders, R"({"name":"play"})", now_ms, 0});
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

TEST_CASE(
    "Adopting past the disk cap takes only what fits and leaves the rest in the other store") {
  World other_tab(config());
  store_during_outage(other_tab, logged_out(), 20);
  // Room for a few events only: each stored event costs ~400 bytes here.
  auto c = config();
  c.queue.max_disk_bytes = 2000;
  World w(c);
  tep::AdoptReport first = w.producer().adopt(other_tab.disk, w.now);
  CHECK(first.taken > 0);
  CHECK(first.taken < 20);
  // Nothing was dropped: what did not fit is still in the other store.
  CHECK(w.producer().counters().empty());
  {
    tep::TokenKeeper tokens;
    tep::EventQueue rest(other_tab.disk, c.queue, tokens);
    CHECK(rest.restore(w.now).restored == 20 - first.taken);
  }
  // Each later adoption takes what fits then, until the other store is empty.
  size_t taken = first.taken;
  for (int round = 0; round < 20 && taken < 20; ++round) {
    deliver(w);
    taken += w.producer().adopt(other_tab.disk, w.now).taken;
  }
  CHECK(taken == 20);
  deliver(w);
  CHECK(w.delivered.size() == 20);
  CHECK(w.raw_duplicates == 0);
  CHECK(w.producer().counters().empty());
}

TEST_CASE("An adopted store's events and counters are taken once, however often it is adopted") {
  World other_tab(config());
  store_during_outage(other_tab, logged_out(), 3);
  tep::DropCounters gone_counters;
  gone_counters.add(tep::DropReason::kConsentFiltered, "ad-click", 2);
  other_tab.disk.files["counters.json"] = gone_counters.to_json();
  World w(config());
  CHECK(w.producer().adopt(other_tab.disk, w.now).taken == 3);
  CHECK(w.producer().counters().total(tep::DropReason::kConsentFiltered) == 2);
  deliver(w);  // the events, and the counters in the monitoring event
  CHECK(w.producer().counters().empty());
  // The store was not deleted (its database could not be, say): adopting it
  // again finds nothing left to take or merge.
  CHECK(w.producer().adopt(other_tab.disk, w.now).taken == 0);
  CHECK(w.producer().counters().empty());
  w.collector = nullptr;
  w.producer().flush(w.now);
  w.run_until(w.now + 5 * kMinute);
  CHECK(w.delivered.size() == 3);
  CHECK(w.raw_duplicates == 0);
}

TEST_CASE("An adopted event whose token this worker never saw goes to the public endpoint, apart") {
  World other_tab(config());
  store_during_outage(other_tab, logged_in(kToken), 3);
  World w(config(), /*seed=*/2);  // ids of its own, apart from the other tab's
  w.producer().set_credentials(logged_in("this-tabs-own-token"));
  w.collector = [](const SentRequest&) { return sim::unreachable(); };
  for (int i = 0; i < 3; ++i) w.send("own");
  CHECK(w.producer().adopt(other_tab.disk, w.now).taken == 3);
  for (int i = 0; i < 3; ++i) w.send("own");
  deliver(w);
  size_t own = 0, adopted = 0;
  for (const auto& r : w.requests) {
    if (r.request.public_only && r.entries.size() == 1 && r.entries[0].name == "tep-tl-monitoring")
      continue;
    bool has_adopted = std::any_of(r.entries.begin(), r.entries.end(),
                                   [](const sim::Entry& e) { return e.name == "play"; });
    bool has_own = std::any_of(r.entries.begin(), r.entries.end(),
                               [](const sim::Entry& e) { return e.name == "own"; });
    CHECK_FALSE((has_adopted && has_own));
    // The adopted events carry no authorization: no Authorization may go with them.
    CHECK(r.request.public_only == has_adopted);
    for (const auto& e : r.entries) (e.name == "play" ? adopted : own)++;
  }
  CHECK(adopted == 3);
  CHECK(own == 6);
}

TEST_CASE(
    "A stored time at the ends of the int64 range neither overflows nor wakes the host at once") {
  for (int64_t created :
       {std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    World w(config());
    {
      tep::TokenKeeper tokens;
      tep::EventQueue queue(w.disk, config().queue, tokens);
      REQUIRE(queue.append({"far-0", "play", headers_at_submit(logged_out(), w.now),
                            R"({"name":"play"})", created, 0}) == tep::AppendResult::kStored);
    }
    w.reopen();
    // A wake-up that is due already must send something: else the host,
    // asked again at once, spins.
    int64_t wake = w.producer().next_wake_ms(w.now);
    REQUIRE(wake >= 0);
    CHECK(wake <= w.now + config().scheduler.batch_interval_ms);
    if (wake <= w.now) {
      w.producer().tick(w.now);
      CHECK(w.requests.size() == 1);
    }
    w.run_until(w.now + config().scheduler.batch_interval_ms + kMinute);
    CHECK(w.delivered.count("far-0") == 1);
  }
}

TEST_CASE("The next wake-up is never further away than a browser timer can wait") {
  // setTimeout fires at once for a delay above 2^31 - 1 ms (24.8 days).
  constexpr int64_t kLongestTimerDelayMs = 2147483647;
  constexpr int64_t kDay = 24 * kHour;
  auto c = config(30 * kDay);
  c.monitoring_interval_ms = 40 * kDay;
  World w(c);
  w.send("play");
  int64_t wake = w.producer().next_wake_ms(w.now);
  CHECK(wake > w.now);
  CHECK(wake - w.now <= kLongestTimerDelayMs);
  w.run_until(w.now + 29 * kDay);
  CHECK(w.requests.empty());
  w.run_until(w.now + 2 * kDay);
  require_nothing_lost(w, 1);
}

TEST_CASE("Counters are reported every minute and reset only after the collector confirms them") {
  auto c = config();
  c.submitter.consent.targeting_blocked = true;
  World w(c);
  w.producer().set_credentials({std::string("client"), std::string("token")});
  bool down = true;
  w.collector = [&](const SentRequest& r) {
    return down ? sim::unreachable() : sim::healthy(r.entries);
  };
  w.send("ad", "TARGETING");
  w.send("ad", "TARGETING");
  w.run_until(w.now + 61 * kSecond);
  REQUIRE(w.requests.size() == 1);
  CHECK(w.requests[0].request.public_only);
  CHECK(w.requests[0].entries[0].name == "tep-tl-monitoring");
  CHECK(w.producer().counters().total(tep::DropReason::kConsentFiltered) == 2);

  down = false;
  w.send("ad", "TARGETING");  // counted while the next report is on its way
  w.run_until(w.now + 60 * kSecond);
  CHECK(w.producer().counters().empty());
  auto fields = sim::parse_form(w.requests.back().request.body);
  CHECK(
      fields["SendMessageBatchRequestEntry.1.MessageBody"] ==
      R"({"consentFilteredEvents":{"ad":3},"storingFailedEvents":{},"validationFailedEvents":{}})");
  CHECK(fields["SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue"].find(
            "authorization") == std::string::npos);
}

TEST_CASE("Counters survive a reload") {
  auto c = config();
  c.submitter.consent.targeting_blocked = true;
  World w(c);
  w.send("ad", "TARGETING");
  w.reopen();
  CHECK(w.producer().counters().total(tep::DropReason::kConsentFiltered) == 1);
}

TEST_CASE("The outage state survives a reload") {
  World w(config());
  w.collector = [&](const SentRequest&) { return sim::unreachable(); };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + kSecond);
  CHECK(w.producer().outage());
  w.reopen();
  CHECK(w.producer().outage());
}

TEST_CASE("A collector whose clock differs corrects requested-sent-timestamp") {
  World w(config());
  w.collector = [&](const SentRequest& r) {
    Answer a = sim::healthy(r.entries);
    a.outcome.date =
        "Thu, 13 Nov 2025 07:13:20 GMT";  // 1763018000000, 5 h after the client's clock
    return a;
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + kSecond);
  int64_t expected_offset = 1763018000000 - w.now;
  CHECK(std::llabs(w.producer().clock_offset_ms() - expected_offset) <= 1000);
  w.send("later");
  w.run_until(w.now + kMinute);
  auto fields = sim::parse_form(w.requests.back().request.body);
  CHECK(fields["SendMessageBatchRequestEntry.1.MessageAttribute.2.Value.StringValue"].find(
            "\"requested-sent-timestamp\":1763018") != std::string::npos);
}

TEST_CASE("A Date on a response that confirms nothing leaves the clock offset alone") {
  World w(config());
  w.collector = [&](const SentRequest&) {
    Answer a = sim::status(503);
    a.outcome.date = "Fri, 01 Jan 2100 00:00:00 GMT";
    return a;
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 10 * kMinute);
  CHECK(w.producer().clock_offset_ms() == 0);
}

TEST_CASE("A confirming response with a Date years ahead moves the clock offset at most a day") {
  World w(config());
  w.collector = [&](const SentRequest& r) {
    Answer a = sim::healthy(r.entries);
    a.outcome.date = "Fri, 01 Jan 2100 00:00:00 GMT";
    return a;
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + kSecond);
  CHECK(w.producer().clock_offset_ms() == 24 * kHour);
}

TEST_CASE("A wildly wrong Date never expires events younger than the TTL by the device's clock") {
  auto c = config();
  c.queue.ttl_ms = kHour;
  World w(c);
  bool confirm = true;
  w.collector = [&](const SentRequest& r) {
    Answer a = confirm ? sim::healthy(r.entries) : sim::unreachable();
    a.outcome.date = "Fri, 01 Jan 2100 00:00:00 GMT";
    confirm = false;
    return a;
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + kSecond);  // the first batch is confirmed, with the wrong Date
  REQUIRE(w.delivered.size() == 10);
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 50 * kMinute);
  CHECK(w.producer().queue().size() == 10);
  CHECK(w.producer().counters().total(tep::DropReason::kStoringFailed) == 0);
  w.reopen();  // restoring applies the TTL too
  CHECK(w.producer().queue().size() == 10);
  w.run_until(w.now + 11 * kMinute);
  CHECK(w.producer().queue().size() == 0);  // older than the TTL by the device's clock: expired
}

TEST_CASE("A full disk drops new events, counts them and raises the outage") {
  auto c = config();
  c.queue.max_disk_bytes = 4096;
  World w(c);
  w.collector = [&](const SentRequest&) { return sim::unreachable(); };
  for (int i = 0; i < 100; ++i) w.send("play");
  size_t stored = w.producer().queue().size();
  CHECK(stored < 100);
  CHECK(w.producer().counters().total(tep::DropReason::kStoringFailed) == 100 - stored);
  CHECK(w.producer().in_outage(tep::OutageReason::kQueueFull));
  CHECK(w.producer().stats().outage);
}

TEST_CASE(
    "A full queue during a delivery outage starts an outage of its own, which a reload forgets") {
  using Outage = std::pair<tep::BusMessage, tep::OutageReason>;
  auto c = config();
  c.queue.max_disk_bytes = 4096;
  World w(c);
  w.collector = [&](const SentRequest&) { return sim::unreachable(); };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + kSecond);
  REQUIRE(w.producer().outage());
  for (int i = 0; i < 100; ++i) w.send("play");
  CHECK(w.outages ==
        std::vector<Outage>{{tep::BusMessage::kOutageStart, tep::OutageReason::kDelivery},
                            {tep::BusMessage::kOutageStart, tep::OutageReason::kQueueFull}});
  w.reopen();
  CHECK(w.producer().outage());
  CHECK_FALSE(w.producer().in_outage(tep::OutageReason::kQueueFull));
}

TEST_CASE("A queue full while the collector answers is not restored as a delivery outage") {
  using Outage = std::pair<tep::BusMessage, tep::OutageReason>;
  auto c = config();
  c.queue.max_disk_bytes = 4096;
  World w(c);
  w.collector = [&](const SentRequest& r) {
    Answer a = sim::healthy(r.entries);
    a.latency_ms = 5 * kSecond;
    return a;
  };
  for (int i = 0; i < 100; ++i) w.send("play");
  REQUIRE(w.producer().in_outage(tep::OutageReason::kQueueFull));
  w.reopen();
  CHECK_FALSE(w.producer().outage());
  w.run_until(w.now + kMinute);
  // The first producer's full queue ended with nothing; the reloaded one saw no outage.
  CHECK(w.outages ==
        std::vector<Outage>{{tep::BusMessage::kOutageStart, tep::OutageReason::kQueueFull}});
}

TEST_CASE("A delivery that frees room in a full queue ends its outage") {
  using Outage = std::pair<tep::BusMessage, tep::OutageReason>;
  auto c = config();
  c.queue.max_disk_bytes = 4096;
  World w(c);
  for (int i = 0; i < 100; ++i) w.send("play");
  REQUIRE(w.producer().in_outage(tep::OutageReason::kQueueFull));
  w.run_until(w.now + kSecond);
  CHECK_FALSE(w.producer().in_outage(tep::OutageReason::kQueueFull));
  CHECK(w.outages ==
        std::vector<Outage>{{tep::BusMessage::kOutageStart, tep::OutageReason::kQueueFull},
                            {tep::BusMessage::kOutageEnd, tep::OutageReason::kQueueFull}});
}

TEST_CASE("Blocking a category with purge removes its queued events and counts them") {
  auto c = config();
  c.monitoring_interval_ms = 24 * kHour;
  World w(c);
  w.producer().set_online(false, w.now);
  w.send("ad", "TARGETING");
  w.send("ad", "TARGETING");
  w.send("view", "PERFORMANCE");
  w.send("play", "NECESSARY");
  tep::ConsentState purged;
  purged.targeting_blocked = true;
  purged.targeting_purged_before_ms = tep::kEverythingPurged;
  w.producer().set_consent(purged);
  CHECK(w.producer().queue().size() == 2);
  CHECK(w.producer().counters().to_json().find(R"("consentFilteredEvents":{"ad":2})") !=
        std::string::npos);
  purged.performance_blocked = true;  // without a purge, queued events stay
  w.producer().set_consent(purged);
  CHECK(w.producer().queue().size() == 2);
}

TEST_CASE("Feral event types are purged from the restored queue") {
  auto c = config();
  World first(c);
  first.producer().set_online(false, first.now);
  first.send("legacy_event");
  first.send("play");
  auto with_feral = config();
  with_feral.feral_event_types = {"legacy_event"};
  tep::Producer restored(with_feral, first.disk, first);
  auto summary = restored.restore(first.now);
  CHECK(summary.feral == 1);
  CHECK(summary.restored == 1);
  CHECK(restored.queue().size() == 1);
}

namespace {

// The size of the monitoring event sent in `request`, measured as the
// Submitter measures events against kMaxEventBytes: {"headers":H,"id":"…",
// "name":"…"} plus the payload.
size_t monitoring_event_bytes(const SentRequest& request) {
  auto fields = sim::parse_form(request.request.body);
  const std::string entry = "SendMessageBatchRequestEntry.1.";
  std::string headers = fields[entry + "MessageAttribute.2.Value.StringValue"];
  std::string id = fields[entry + "Id"];
  std::string name = fields[entry + "MessageAttribute.1.Value.StringValue"];
  std::string payload = fields[entry + "MessageBody"];
  return std::string(R"({"headers":,"id":"","name":""})").size() + headers.size() + id.size() +
         name.size() + payload.size();
}

// Every count the monitoring event in `request` reports.
uint64_t counts_reported(const SentRequest& request) {
  auto fields = sim::parse_form(request.request.body);
  auto payload = nlohmann::json::parse(fields["SendMessageBatchRequestEntry.1.MessageBody"],
                                       nullptr, /*allow_exceptions=*/false);
  uint64_t total = 0;
  for (const auto& reason : payload.items()) {
    for (const auto& name : reason.value().items()) total += name.value().get<uint64_t>();
  }
  return total;
}

const SentRequest* first_monitoring_request(const World& w) {
  for (const auto& r : w.requests) {
    if (r.request.public_only) return &r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("The monitoring event stays under the event size limit however many and long the names") {
  World w(config());
  uint64_t refused = 0;
  for (int i = 0; i < 500; ++i) {
    std::string name = "event-" + std::to_string(i) + "-" + std::string(150, 'n');
    w.producer().count_refused_on_page(tep::DropReason::kValidationFailed, name, "", 1);
    ++refused;
  }
  for (int i = 0; i < 3; ++i) {
    std::string name(15000, static_cast<char>('a' + i));
    w.producer().count_refused_on_page(tep::DropReason::kStoringFailed, name, "", 2);
    refused += 2;
  }
  w.run_until(w.now + 61 * kSecond);
  const SentRequest* report = first_monitoring_request(w);
  REQUIRE(report != nullptr);
  CHECK(monitoring_event_bytes(*report) < tep::kMaxEventBytes);
  CHECK(counts_reported(*report) == refused);
  w.run_until(w.now + kSecond);
  CHECK(w.producer().counters().empty());  // confirmed: nothing is reported twice
}

TEST_CASE("Default headers too large to leave room for names report every name under (other)") {
  auto c = config();
  c.submitter.client.app_version = std::string(19800, 'v');
  World w(c);
  for (int i = 0; i < 10; ++i) {
    w.producer().count_refused_on_page(tep::DropReason::kValidationFailed,
                                       "event-" + std::to_string(i) + std::string(100, 'n'), "", 1);
  }
  w.run_until(w.now + 61 * kSecond);
  const SentRequest* report = first_monitoring_request(w);
  REQUIRE(report != nullptr);
  CHECK(monitoring_event_bytes(*report) < tep::kMaxEventBytes);
  auto fields = sim::parse_form(report->request.body);
  CHECK(fields["SendMessageBatchRequestEntry.1.MessageBody"] ==
        R"({"consentFilteredEvents":{},"storingFailedEvents":{},)"
        R"json("validationFailedEvents":{"(other)":10}})json");
}
