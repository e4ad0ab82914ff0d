// Each id the core raises, from the fault that raises it: the id in front of
// the producer's lastError is asserted whole, as apps and the page read it.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "simulated_world.h"

using sim::SentRequest;
using sim::World;

namespace {

using sim::kMinute;
using sim::kSecond;

constexpr const char* kErrorResponse =
    "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code></Error></ErrorResponse>";

/// The collector's error answer with the code `code`.
std::string error_response(const std::string& code) {
  std::string body = kErrorResponse;
  return body.replace(body.find("{code}"), 6, code);
}

/// "[tep.x.y] …" → "tep.x.y"; empty when `text` has no id.
std::string id_of(const std::string& text) {
  if (text.empty() || text.front() != '[') return "";
  return text.substr(1, text.find(']') - 1);
}

/// The ids the producer's lastError held while `w` ran for `duration_ms`,
/// looked at every 100 ms (shorter than any answer or retry here).
std::set<std::string> ids_seen(World& w, int64_t duration_ms) {
  std::set<std::string> ids;
  for (int64_t end = w.now + duration_ms; w.now < end;) {
    w.run_until(w.now + 100);
    std::string id = id_of(w.producer().stats().last_error);
    if (!id.empty()) ids.insert(id);
  }
  return ids;
}

/// The ids seen while ten events go to `collector`.
std::set<std::string> ids_from_collector(World::Collector collector) {
  World w(sim::config());
  w.collector = std::move(collector);
  for (int i = 0; i < 10; ++i) w.send("play");
  return ids_seen(w, 3 * kMinute);
}

}  // namespace

TEST_CASE("A collector that can't be reached is tep.send.network") {
  auto ids = ids_from_collector([](const SentRequest&) { return sim::unreachable(); });
  CHECK(ids == std::set<std::string>{"tep.send.network"});
}

TEST_CASE("A collector that does not answer in time is tep.send.timeout") {
  auto ids = ids_from_collector([](const SentRequest& r) { return sim::hang(r.entries); });
  CHECK(ids.count("tep.send.timeout") == 1);
}

TEST_CASE("A collector's 503 is tep.send.http_error") {
  auto ids = ids_from_collector([](const SentRequest&) { return sim::status(503); });
  CHECK(ids == std::set<std::string>{"tep.send.http_error"});
}

TEST_CASE("A success that confirms no event is tep.send.unconfirmed") {
  auto ids = ids_from_collector([](const SentRequest&) { return sim::status(200, "<html/>"); });
  CHECK(ids == std::set<std::string>{"tep.send.unconfirmed"});
}

TEST_CASE("Refused credentials are tep.send.unauthorized") {
  int calls = 0;
  auto ids = ids_from_collector([&](const SentRequest& r) {
    return ++calls == 1 ? sim::status(401) : sim::healthy(r.entries);
  });
  CHECK(ids == std::set<std::string>{"tep.send.unauthorized"});
}

TEST_CASE("Duplicate ids in a batch are tep.send.duplicate_ids") {
  auto ids = ids_from_collector([](const SentRequest&) {
    return sim::status(400, error_response("AWS.SimpleQueueService.BatchEntryIdsNotDistinct"));
  });
  CHECK(ids == std::set<std::string>{"tep.send.duplicate_ids"});
}

TEST_CASE("A batch refused as too large is tep.send.too_large") {
  auto ids = ids_from_collector([](const SentRequest& r) {
    return r.entries.size() > 3 ? sim::status(413) : sim::healthy(r.entries);
  });
  CHECK(ids == std::set<std::string>{"tep.send.too_large"});
}

TEST_CASE("A batch refused with 400 is tep.send.rejected") {
  auto ids = ids_from_collector([](const SentRequest&) { return sim::status(400); });
  CHECK(ids == std::set<std::string>{"tep.send.rejected"});
}

TEST_CASE("An event refused again and again among accepted ones is tep.send.poison_event") {
  World w(sim::config());
  w.collector = [](const SentRequest& r) {
    for (const auto& e : r.entries) {
      if (e.name == "poison") return sim::status(400, error_response("InvalidParameterValue"));
    }
    return sim::healthy(r.entries);
  };
  w.send("poison");
  for (int i = 0; i < 9; ++i) w.send("play");
  CHECK(ids_seen(w, 10 * kMinute).count("tep.send.poison_event") == 1);
}

TEST_CASE("One event refused as too large is tep.send.event_too_large") {
  World w(sim::config());
  w.collector = [](const SentRequest& r) {
    for (const auto& e : r.entries) {
      if (e.name == "oversized") return sim::status(413);
    }
    return sim::healthy(r.entries);
  };
  w.send("oversized");
  for (int i = 0; i < 9; ++i) w.send("play");
  CHECK(ids_seen(w, 10 * kMinute).count("tep.send.event_too_large") == 1);
}

TEST_CASE("An event beyond maxDiskUsageBytes is tep.store.full") {
  auto c = sim::config(10 * kMinute);  // nothing leaves the queue meanwhile
  c.queue.max_disk_bytes = 1024;
  World w(c);
  for (int i = 0; i < 20; ++i) w.send("play");
  CHECK(id_of(w.producer().stats().last_error) == "tep.store.full");
}

TEST_CASE("An event storage refuses is tep.store.failed") {
  World w(sim::config(10 * kMinute));
  w.disk.fail_next_writes = 1000;
  w.send("play");
  CHECK(id_of(w.producer().stats().last_error) == "tep.store.failed");
}

TEST_CASE("Default headers that leave the counters no room are tep.monitor.too_large") {
  auto c = sim::config();
  c.submitter.client.app_version = std::string(21 * 1024, 'v');  // beyond the 20 KiB event limit
  World w(c);
  w.send("play");  // refused as too large, and counted
  CHECK(ids_seen(w, 2 * kMinute).count("tep.monitor.too_large") == 1);
}
