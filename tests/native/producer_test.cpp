// The producer as a whole keeps bearer tokens out of its store: events are
// stored without them and sent with them while the worker knows them, across
// reloads, stores of the earlier format and adopted stores. The scheduler's
// simulations of the producer are in scheduler_test.cpp.
#include "producer.h"

#include <catch2/catch.hpp>
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
  CHECK(w.producer().adopt(orphan, w.now) == 1);
  CHECK_FALSE(w.disk.any_file_holds(kToken));
  auto headers = deliver(w);
  CHECK(headers == std::vector<std::string>{stored_headers});
}

TEST_CASE("An adopted event whose token this worker never saw goes in the logged-out form") {
  World other_tab(config());
  int64_t sent_at = store_during_outage(other_tab, logged_in(kToken), 2);
  World w(config());
  w.producer().set_credentials(logged_in("this-tabs-own-token"));
  CHECK(w.producer().adopt(other_tab.disk, w.now) == 2);
  auto headers = deliver(w);
  REQUIRE(headers.size() == 2);
  for (const auto& h : headers) CHECK(h == headers_at_submit(logged_out(), sent_at));
}
