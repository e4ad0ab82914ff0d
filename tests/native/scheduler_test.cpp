// Deterministic simulations of the scheduler inside the whole producer: a
// fake clock and a fake collector, hours of faults in milliseconds. What the
// producer adds around it (monitoring, clock, consent, restore) is tested in
// producer_test.cpp.
#include <catch2/catch.hpp>

#include "simulated_world.h"

using sim::Answer;
using sim::SentRequest;
using sim::World;
using tep::BusMessage;

namespace {

using sim::config;
using sim::kHour;
using sim::kMinute;
using sim::kSecond;
using sim::require_nothing_lost;

size_t queue_batch_requests(const World& w) {
  return static_cast<size_t>(
      std::count_if(w.requests.begin(), w.requests.end(),
                    [](const SentRequest& r) { return !r.request.public_only; }));
}

}  // namespace

TEST_CASE("A full batch is sent at once and a partial one after the batch interval") {
  World w(config());
  for (int i = 0; i < 12; ++i) w.send("play");
  w.run_until(w.now + 1);
  REQUIRE(w.requests.size() == 1);
  CHECK(w.requests[0].entries.size() == 10);
  w.run_until(w.now + 29 * kSecond);
  CHECK(w.requests.size() == 1);
  w.run_until(w.now + 2 * kSecond);
  REQUIRE(w.requests.size() == 2);
  CHECK(w.requests[1].entries.size() == 2);
  require_nothing_lost(w, 12);
  CHECK(w.bus.empty());
}

TEST_CASE("A backlog drains batch after batch without waiting for the interval") {
  World w(config());
  for (int i = 0; i < 95; ++i) w.send("play");
  w.run_until(w.now + 2 * kSecond);  // 20 ms per round trip
  CHECK(w.delivered.size() == 90);
  w.run_until(w.now + 30 * kSecond);
  require_nothing_lost(w, 95);
  for (const auto& r : w.requests) CHECK(r.entries.size() <= 10);
}

TEST_CASE(
    "An hour-long outage loses nothing, backs off within bounds and reports the outage once") {
  World w(config());
  bool down = true;
  w.collector = [&](const SentRequest& r) {
    return down ? sim::unreachable() : sim::healthy(r.entries);
  };
  for (int i = 0; i < 50; ++i) w.send("play");
  int64_t start = w.now;
  w.run_until(start + kHour);
  CHECK(w.producer().outage());
  REQUIRE(w.bus == std::vector<BusMessage>{BusMessage::kOutageStart});
  // Gaps between attempts: never below the 1 s floor, never above the cap.
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < w.requests.size(); ++i) {
    gaps.push_back(w.requests[i].sent_at_ms - w.requests[i - 1].sent_at_ms);
  }
  REQUIRE(gaps.size() > 50);
  for (int64_t gap : gaps) {
    CHECK(gap >= kSecond);
    CHECK(gap <= kMinute + 5);
  }
  // Exponential growth: the first retries come within seconds, later ones near the cap.
  CHECK(gaps.front() <= 2 * kSecond + 5);
  CHECK(gaps.back() >= 30 * kSecond);
  CHECK(queue_batch_requests(w) < 100);  // ~60/h at the cap, not thousands

  down = false;
  w.run_until(w.now + kMinute);
  require_nothing_lost(w, 50);
  CHECK(w.bus == std::vector<BusMessage>{BusMessage::kOutageStart, BusMessage::kOutageEnd});
  CHECK_FALSE(w.producer().outage());
}

TEST_CASE("A 5xx storm is retried with backoff and ends with everything delivered") {
  World w(config());
  int remaining_errors = 40;
  w.collector = [&](const SentRequest& r) {
    if (remaining_errors > 0) {
      --remaining_errors;
      return sim::status(remaining_errors % 2 ? 503 : 500,
                         "<ErrorResponse><Error><Type>Receiver</Type></Error></ErrorResponse>");
    }
    return sim::healthy(r.entries);
  };
  for (int i = 0; i < 30; ++i) w.send("play");
  w.run_until(w.now + kHour);
  require_nothing_lost(w, 30);
  CHECK(w.bus == std::vector<BusMessage>{BusMessage::kOutageStart, BusMessage::kOutageEnd});
}

TEST_CASE("429 with Retry-After holds every request until the collector's time") {
  World w(config());
  bool throttled = true;
  int64_t throttled_at = -1;
  w.collector = [&](const SentRequest& r) {
    if (throttled) {
      throttled = false;
      throttled_at = w.now;
      return sim::status(429, "", "120");
    }
    return sim::healthy(r.entries);
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 10 * kMinute);
  REQUIRE(w.requests.size() == 2);
  CHECK(w.requests[1].sent_at_ms - throttled_at >= 120 * kSecond);
  CHECK(w.requests[1].sent_at_ms - throttled_at <= 121 * kSecond);
  require_nothing_lost(w, 10);
}

TEST_CASE("A Retry-After beyond ten minutes is capped") {
  World w(config());
  bool throttled = true;
  w.collector = [&](const SentRequest& r) {
    if (throttled) {
      throttled = false;
      return sim::status(503, "", "86400");
    }
    return sim::healthy(r.entries);
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 11 * kMinute);
  require_nothing_lost(w, 10);
  CHECK(w.requests[1].sent_at_ms - w.requests[0].sent_at_ms <= 10 * kMinute + 100);
}

TEST_CASE("A request that hangs past the timeout is sent again and only the duplicate is extra") {
  World w(config());
  bool hang_once = true;
  w.collector = [&](const SentRequest& r) {
    if (hang_once) {
      hang_once = false;
      return sim::hang(r.entries);
    }
    return sim::healthy(r.entries);
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 5 * kMinute);
  require_nothing_lost(w, 10);
  CHECK(w.raw_duplicates == 10);  // the collector stored the first try; its answer was lost
  CHECK(w.requests.size() == 2);
  CHECK(w.requests[1].sent_at_ms - w.requests[0].sent_at_ms >= 10 * kSecond);
}

TEST_CASE("A 2xx that confirms nothing is a failure, not a loop") {
  World w(config());
  bool portal = true;
  w.collector = [&](const SentRequest& r) {
    return portal ? sim::status(200, "<html><body>captive portal</body></html>")
                  : sim::healthy(r.entries);
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 10 * kMinute);
  CHECK(w.producer().outage());
  CHECK(queue_batch_requests(w) < 40);  // backoff, not a tight loop
  CHECK(w.producer().queue().size() == 10);
  portal = false;
  w.run_until(w.now + kMinute);
  require_nothing_lost(w, 10);
}

TEST_CASE(
    "A poison event in a batch of ten is isolated, dropped after three refusals and counted") {
  auto c = config();
  c.monitoring_interval_ms = 24 * kHour;  // keep the counters unreported to read them
  World w(c);
  std::string poison_id;
  w.collector = [&](const SentRequest& r) {
    for (const auto& e : r.entries) {
      if (e.name == "poison")
        return sim::status(400,
                           "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</"
                           "Code></Error></ErrorResponse>");
    }
    return sim::healthy(r.entries);
  };
  for (int i = 0; i < 4; ++i) w.send("play");
  w.send("poison");
  for (int i = 0; i < 5; ++i) w.send("play");
  w.run_until(w.now + 10 * kMinute);
  require_nothing_lost(w, 10, 1);
  CHECK(w.producer().counters().total(tep::DropReason::kValidationFailed) == 1);
  CHECK(w.producer().counters().to_json().find(R"("validationFailedEvents":{"poison":1})") !=
        std::string::npos);
  CHECK(queue_batch_requests(w) < 20);
}

TEST_CASE("A collector that refuses every event with 400 is an outage and nothing is dropped") {
  World w(config());
  w.collector = [&](const SentRequest&) { return sim::status(400); };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + kHour);
  CHECK(w.producer().outage());
  CHECK(w.producer().queue().size() == 10);
  CHECK(w.producer().counters().empty());
}

TEST_CASE("413 splits the batch until it fits") {
  World w(config());
  w.collector = [&](const SentRequest& r) {
    return r.entries.size() > 3 ? sim::status(413) : sim::healthy(r.entries);
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 5 * kMinute);
  require_nothing_lost(w, 10);
  CHECK(w.bus.empty());
}

TEST_CASE(
    "A collector that answers 413 to every request keeps every event queued, backs off and "
    "reports the outage once") {
  World w(config());
  w.collector = [&](const SentRequest&) { return sim::status(413); };
  for (int i = 0; i < 25; ++i) w.send("play");
  w.run_until(w.now + 6 * kHour);
  CHECK(w.producer().queue().size() == 25);
  CHECK(w.producer().counters().empty());
  CHECK(w.producer().outage());
  CHECK(w.bus == std::vector<BusMessage>{BusMessage::kOutageStart});
  // Backing off: at the 60 s cap a probe and its bisection are a few requests a minute.
  CHECK(queue_batch_requests(w) < 6 * 60 * 8);
}

TEST_CASE("An oversized event among good ones is dropped after the others are delivered") {
  auto c = config();
  c.monitoring_interval_ms = 24 * kHour;  // keep the counters unreported to read them
  World w(c);
  w.collector = [&](const SentRequest& r) {
    for (const auto& e : r.entries) {
      if (e.name == "oversized") return sim::status(413);
    }
    return sim::healthy(r.entries);
  };
  for (int i = 0; i < 4; ++i) w.send("play");
  w.send("oversized");
  for (int i = 0; i < 5; ++i) w.send("play");
  w.run_until(w.now + 10 * kMinute);
  require_nothing_lost(w, 10, 1);
  CHECK(w.producer().counters().to_json().find(R"("validationFailedEvents":{"oversized":1})") !=
        std::string::npos);
  // Its first lone refusal, before anything got through past it, reads as an
  // outage; the next delivery ends it.
  CHECK(w.bus == std::vector<BusMessage>{BusMessage::kOutageStart, BusMessage::kOutageEnd});
}

TEST_CASE("A 401 asks for fresh credentials once and retries at once") {
  World w(config());
  int calls = 0;
  w.collector = [&](const SentRequest& r) {
    ++calls;
    if (calls == 1)
      return sim::status(401, R"({"status":401,"subStatus":11003,"userMessage":"expired"})");
    return sim::healthy(r.entries);
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 2 * kSecond);
  REQUIRE(w.requests.size() == 2);
  CHECK_FALSE(w.requests[0].request.refresh_credentials);
  CHECK(w.requests[1].request.refresh_credentials);
  CHECK(w.requests[1].request.credentials_sub_status == "11003");
  require_nothing_lost(w, 10);
}

TEST_CASE("Offline pauses sending and coming online retries at once") {
  World w(config());
  w.producer().set_online(false, w.now);
  for (int i = 0; i < 20; ++i) w.send("play");
  w.run_until(w.now + kHour);
  CHECK(w.requests.empty());
  for (int flap = 0; flap < 5; ++flap) {
    w.producer().set_online(true, w.now);
    w.producer().set_online(false, w.now);
  }
  w.producer().set_online(true, w.now);
  w.run_until(w.now + 1 * kSecond);
  require_nothing_lost(w, 20);
}

TEST_CASE("SenderFault entries are dropped and counted while transient ones are sent again") {
  auto c = config();
  c.monitoring_interval_ms = 24 * kHour;  // keep the counters unreported to read them
  World w(c);
  int call = 0;
  w.collector = [&](const SentRequest& r) {
    if (++call > 1) return sim::healthy(r.entries);
    std::string xml = "<SendMessageBatchResponse><SendMessageBatchResult>";
    Answer a;
    for (size_t i = 0; i < r.entries.size(); ++i) {
      const auto& id = r.entries[i].id;
      if (i == 0) {
        xml += "<BatchResultErrorEntry><Id>" + id +
               "</Id><SenderFault>true</SenderFault><Code>InvalidMessageContents</Code></"
               "BatchResultErrorEntry>";
      } else if (i == 1) {
        xml += "<BatchResultErrorEntry><Id>" + id +
               "</Id><SenderFault>false</SenderFault><Code>InternalError</Code></"
               "BatchResultErrorEntry>";
      } else {
        xml += "<SendMessageBatchResultEntry><Id>" + id + "</Id></SendMessageBatchResultEntry>";
        a.stored.push_back(id);
      }
    }
    a.outcome.kind = tep::HttpOutcome::Kind::kResponse;
    a.outcome.status = 200;
    a.outcome.body = xml + "</SendMessageBatchResult></SendMessageBatchResponse>";
    return a;
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 2 * kMinute);
  require_nothing_lost(w, 10, 1);
  CHECK(w.producer().counters().total(tep::DropReason::kValidationFailed) == 1);
}

TEST_CASE("Duplicate ids reported by the collector are removed from the queue") {
  World w(config());
  // Store the same event twice, as a replayed segment could.
  tep::Event e{"dup-id", "play", R"({"consent-category":"NECESSARY"})", "{}", w.now, 0};
  tep::TokenKeeper tokens;
  tep::EventQueue queue(w.disk, tep::default_producer_config().queue, tokens);
  queue.restore(w.now);
  queue.append(e);
  queue.append(e);
  w.reopen();
  int call = 0;
  w.collector = [&](const SentRequest& r) {
    if (++call == 1) {
      return sim::status(400,
                         "<ErrorResponse><Error><Type>Sender</"
                         "Type><Code>AWS.SimpleQueueService.BatchEntryIdsNotDistinct</Code></"
                         "Error></ErrorResponse>");
    }
    return sim::healthy(r.entries);
  };
  w.run_until(w.now + 2 * kMinute);
  CHECK(w.producer().queue().size() == 0);
  REQUIRE(w.requests.size() == 2);
  CHECK(w.requests[1].entries.size() == 1);
}

TEST_CASE("A collector that keeps answering duplicate ids is backed off like any failure") {
  World w(config());
  w.collector = [&](const SentRequest&) {
    return sim::status(400,
                       "<ErrorResponse><Error><Type>Sender</"
                       "Type><Code>AWS.SimpleQueueService.BatchEntryIdsNotDistinct</Code></"
                       "Error></ErrorResponse>");
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 10 * kMinute);
  CHECK(w.producer().queue().size() == 10);
  CHECK(queue_batch_requests(w) < 40);  // backoff, not a request per round trip
  CHECK(w.producer().outage());
}

TEST_CASE("After a failure the next attempt waits at least a second, whatever the batch interval") {
  World w(*tep::read_producer_config(R"({"eventBatchInterval": 200})"));
  w.collector = [&](const SentRequest&) { return sim::unreachable(); };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 10 * kMinute);
  REQUIRE(queue_batch_requests(w) > 5);
  for (size_t i = 1; i < w.requests.size(); ++i) {
    CHECK(w.requests[i].sent_at_ms - w.requests[i - 1].sent_at_ms >= kSecond);
  }
}

TEST_CASE("A short batch interval does not shorten the backoff against a dead collector") {
  World w(*tep::read_producer_config(R"({"eventBatchInterval": 1000})"));
  w.collector = [&](const SentRequest&) { return sim::unreachable(); };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + kHour);
  // maxBackoffMs defaults to 60 s: about one attempt a minute once the window is full.
  CHECK(queue_batch_requests(w) < 100);
  size_t last = w.requests.size() - 1;
  CHECK(w.requests[last].sent_at_ms - w.requests[last - 1].sent_at_ms >= 30 * kSecond);
}

TEST_CASE("A reload mid-flight loses nothing and never resends what was confirmed") {
  World w(config());
  for (int i = 0; i < 25; ++i) w.send("play");
  w.run_until(w.now + 30);  // the first batch is confirmed, the second is in flight
  size_t confirmed = w.delivered.size();
  REQUIRE(confirmed >= 10);
  w.reopen();
  w.run_until(w.now + kMinute);
  require_nothing_lost(w, 25);
  CHECK(w.raw_duplicates <= 10);  // at most the batch whose answer the reload lost
}

TEST_CASE("Several batches in flight drain faster and never share an event") {
  auto c = config();
  c.scheduler.max_in_flight = 4;
  World w(c);
  for (int i = 0; i < 200; ++i) w.send("play");
  w.run_until(w.now + 200);
  CHECK(w.delivered.size() == 200);
  require_nothing_lost(w, 200);
}

TEST_CASE("With one request in flight the next batch goes as the status arrives, before the body") {
  World w(config());
  REQUIRE(w.producer().stats().in_flight_batches == 0);
  w.collector = [](const SentRequest& r) {
    Answer a = sim::healthy(r.entries);
    a.body_ms = 5;  // the confirmation is read and applied after the status
    return a;
  };
  for (int i = 0; i < 30; ++i) w.send("play");
  w.run_until(w.now + 1);
  REQUIRE(queue_batch_requests(w) == 1);
  w.run_until(w.requests[0].sent_at_ms + 20);  // the first status
  REQUIRE(queue_batch_requests(w) == 2);
  CHECK(w.requests[1].sent_at_ms == w.requests[0].sent_at_ms + 20);
  // Nothing is removed before its confirmation is read, and no event goes twice.
  CHECK(w.producer().queue().size() == 30);
  CHECK(w.producer().stats().in_flight_events == 20);
  w.run_until(w.now + 4);
  CHECK(w.producer().queue().size() == 30);
  w.run_until(w.now + 1);  // the first body
  CHECK(w.producer().queue().size() == 20);
  w.run_until(w.now + kSecond);
  CHECK(w.requests[2].sent_at_ms == w.requests[0].sent_at_ms + 40);
  require_nothing_lost(w, 30);
}

TEST_CASE(
    "A failure's status, or any status while backing off, holds the next batch for the verdict") {
  World w(config());
  int failures_left = 1;
  w.collector = [&](const SentRequest& r) {
    Answer a = failures_left-- > 0 ? sim::status(503) : sim::healthy(r.entries);
    a.body_ms = 5;
    return a;
  };
  for (int i = 0; i < 30; ++i) w.send("play");
  w.run_until(w.now + 1);
  int64_t first = w.requests[0].sent_at_ms;
  w.run_until(first + 25);  // the 503's status and body
  REQUIRE(queue_batch_requests(w) == 1);
  w.run_until(w.now + 10 * kSecond);
  REQUIRE(queue_batch_requests(w) == 4);
  // The retry after the 503 is a probe: its success is read before the next batch goes.
  CHECK(w.requests[1].sent_at_ms >= first + 25 + kSecond / 2);
  CHECK(w.requests[2].sent_at_ms == w.requests[1].sent_at_ms + 25);
  // Back in the steady state, the next batch goes with the status again.
  CHECK(w.requests[3].sent_at_ms == w.requests[2].sent_at_ms + 20);
  require_nothing_lost(w, 30);
}

TEST_CASE("A success status whose body confirms nothing is a failure for the batches after it") {
  World w(config());
  int portal_answers = 1;
  w.collector = [&](const SentRequest& r) {
    Answer a = portal_answers-- > 0 ? sim::status(200, "<html>captive portal</html>")
                                    : sim::healthy(r.entries);
    a.body_ms = 5;
    return a;
  };
  for (int i = 0; i < 30; ++i) w.send("play");
  w.run_until(w.now + 1);
  int64_t first = w.requests[0].sent_at_ms;
  w.run_until(first + 44);
  // The second batch went with the first status; the first body then
  // confirmed nothing, so the second's status no longer frees its place.
  REQUIRE(queue_batch_requests(w) == 2);
  CHECK(w.requests[1].sent_at_ms == first + 20);
  CHECK(w.producer().queue().size() == 30);
  // The second's confirmation is a delivery: it ends the backoff.
  w.run_until(first + 45);
  REQUIRE(queue_batch_requests(w) == 3);
  CHECK(w.producer().queue().size() == 20);
  w.run_until(w.now + kMinute);
  require_nothing_lost(w, 30);
}

TEST_CASE(
    "The leaving batch is the queue's head not in flight, within the budget, and changes nothing") {
  auto c = config();
  c.scheduler.batch_interval_ms = 24 * kHour;  // nothing goes on the timer
  World w(c);
  CHECK(w.producer().leaving_batch_body(60000).empty());
  for (int i = 0; i < 3; ++i) w.send("leaving");
  std::string body = w.producer().leaving_batch_body(60000);
  CHECK(sim::entries_of(body).size() == 3);
  // Asking again gives the same batch: nothing was marked in flight.
  CHECK(w.producer().leaving_batch_body(60000) == body);
  CHECK(w.requests.empty());
  // A budget smaller than the three leaves fewer; smaller than one, none.
  CHECK(sim::entries_of(w.producer().leaving_batch_body(body.size() - 1)).size() == 2);
  CHECK(w.producer().leaving_batch_body(100).empty());
  // Events in flight are left out: their request may still be answered.
  w.collector = [](const SentRequest& r) {
    auto answer = sim::healthy(r.entries);
    answer.latency_ms = kHour;
    return answer;
  };
  w.producer().flush(w.now);
  REQUIRE(w.requests.size() == 1);
  CHECK(w.producer().leaving_batch_body(60000).empty());
  w.send("after");
  CHECK(sim::entries_of(w.producer().leaving_batch_body(60000)).size() == 1);
}

TEST_CASE(
    "The leaving batch is the body the keepalive batch then has, and none while one is in flight") {
  auto c = config();
  c.scheduler.batch_interval_ms = 24 * kHour;
  World w(c);
  for (int i = 0; i < 4; ++i) w.send("leaving");
  std::string leaving = w.producer().leaving_batch_body(60000);
  w.producer().send_keepalive(60000, w.now);
  REQUIRE(w.requests.size() == 1);
  CHECK(w.requests[0].request.body == leaving);
  CHECK(w.producer().leaving_batch_body(60000).empty());
}

TEST_CASE(
    "A keepalive batch goes once while the page leaves, and its events are sent again if its "
    "answer dies") {
  auto c = config();
  c.scheduler.batch_interval_ms = 24 * kHour;
  World w(c);
  for (int i = 0; i < 3; ++i) w.send("keepalive");
  w.producer().send_keepalive(60000, w.now);
  w.producer().send_keepalive(60000, w.now);  // pagehide after visibilitychange: still one
  REQUIRE(w.requests.size() == 1);
  CHECK(w.requests[0].request.keepalive);
  CHECK(w.requests[0].entries.size() == 3);
  w.reopen();  // the page died with the request: no answer
  w.producer().flush(w.now);
  w.run_until(w.now + kMinute);
  CHECK(w.producer().queue().size() == 0);
}

TEST_CASE(
    "The batch the page sent while it went away is the only one: its events wait for its answer") {
  auto c = config();
  c.scheduler.batch_interval_ms = 10 * kMinute;  // nothing goes on the timer
  c.monitoring_interval_ms = 1000 * kHour;
  World w(c);
  for (int i = 0; i < 5; ++i) w.send("queued");
  auto leaving = sim::entries_of(w.producer().leaving_batch_body(60000));
  REQUIRE(leaving.size() == 5);
  w.send("sent_by_the_app_while_hiding");  // after the page's copy was made
  std::vector<std::string> ids;
  for (const auto& e : leaving) ids.push_back(e.id);
  uint32_t claimed = w.producer().claim_leaving_batch(ids);
  REQUIRE(claimed != 0);
  CHECK(w.producer().stats().in_flight_events == 5);
  CHECK(w.producer().claim_leaving_batch(ids) == 0);  // one keepalive request at a time
  // Nothing is sent of them while the page's answer is awaited.
  w.producer().flush(w.now);
  w.run_until(w.now + kSecond);
  CHECK(w.requests.empty());
  // The page's answer confirms them; flush then sends the rest, and only that.
  w.producer().on_response(claimed, sim::healthy(leaving).outcome, w.now);
  w.producer().flush(w.now);
  w.run_until(w.now + kSecond);
  REQUIRE(w.requests.size() == 1);
  CHECK(w.requests[0].entries.size() == 1);
  CHECK(w.requests[0].entries[0].name == "sent_by_the_app_while_hiding");
  CHECK(w.queued() == 0);
}

TEST_CASE("Another tab's delivery ends the backoff early once per step, however often it is told") {
  World w(config());
  w.collector = [&](const SentRequest&) { return sim::unreachable(); };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + 5 * kMinute);  // deep into the backoff: retries a minute apart
  REQUIRE(w.producer().stats().consecutive_failures >= 6);
  size_t before = w.requests.size();
  w.producer().retry_early(w.now);
  w.producer().retry_early(w.now);
  CHECK(w.requests.size() == before + 1);
  w.run_until(w.now + kSecond);  // the early retry fails
  for (int i = 0; i < 10; ++i) w.producer().retry_early(w.now);
  CHECK(w.requests.size() == before + 1);
  // After the next regular retry has failed too, another early one may go.
  w.run_until(w.now + 2 * kMinute);
  size_t regular = w.requests.size();
  REQUIRE(regular > before + 1);
  w.producer().retry_early(w.now);
  CHECK(w.requests.size() == regular + 1);
}

TEST_CASE(
    "An answer the host could not read is a failed attempt: the batch is retried, and reported") {
  auto c = config();
  c.scheduler.max_in_flight = 1;
  World w(c);
  bool unread = true;
  w.collector = [&](const SentRequest& r) {
    Answer a = sim::healthy(r.entries);
    if (unread) a.outcome.kind = tep::HttpOutcome::Kind::kUnread;
    unread = false;
    return a;
  };
  for (int i = 0; i < 10; ++i) w.send("play");
  w.run_until(w.now + kSecond);
  CHECK(w.producer().stats().in_flight_batches == 0);
  CHECK(w.producer().stats().last_error ==
        "[tep.send.out_of_memory] the collector's answer could not be read into memory; the batch "
        "will be sent again");
  CHECK(w.bus == std::vector<BusMessage>{BusMessage::kOutageStart});
  w.run_until(w.now + kMinute);
  require_nothing_lost(w, 10);
  CHECK(w.requests.size() == 2);
  CHECK(w.bus == std::vector<BusMessage>{BusMessage::kOutageStart, BusMessage::kOutageEnd});
}

namespace {

/// One run of the flapping soak: 300 events/s for 60 s while the collector
/// cycles up, down (connection refused), 503 and hang (no answer until the
/// host's 10 s timeout, nothing stored) every 5 s, then stays up.
struct SoakRun {
  size_t sent = 0;
  size_t storing_failed = 0;
  size_t backlog_at_recovery = 0;
  size_t peak_backlog = 0;
  int64_t drained_after_ms = -1;  ///< from the recovery to an empty queue; -1 = never
};

SoakRun run_flapping_soak(World& w) {
  // 300 events/s and 5 s phases: the issue's soak. 10 ms round trips: the
  // reference consumer on loopback drains ~1,100 events/s, 10 per request.
  constexpr int kRate = 300;
  constexpr int64_t kPhaseMs = 5 * kSecond;
  constexpr int64_t kSoakMs = 60 * kSecond;
  constexpr int64_t kStepMs = 10;
  const int64_t start = w.now;
  const int64_t recovery = start + kSoakMs;
  w.collector = [&](const SentRequest& r) {
    int phase = w.now >= recovery ? 0 : static_cast<int>((w.now - start) / kPhaseMs % 4);
    Answer a;
    switch (phase) {
      case 0:
        a = sim::healthy(r.entries);
        a.latency_ms = 10;
        break;
      case 1:
        a = sim::unreachable();
        break;
      case 2:
        a = sim::status(503, "<ErrorResponse><Error><Type>Receiver</Type></Error></ErrorResponse>");
        break;
      default:  // held until the host's 10 s timeout; the reference consumer stores nothing
        a.outcome.kind = tep::HttpOutcome::Kind::kTimeout;
        a.latency_ms = 10 * kSecond;
        break;
    }
    return a;
  };
  SoakRun run;
  for (int64_t t = start; t < recovery; t += kStepMs) {
    // A playback event of the size a player sends: ~440 B stored, so the
    // 5 MiB cap holds ~12,000 of them, less than the soak's 18,000.
    for (int i = 0; i < kRate * kStepMs / kSecond; ++i) {
      std::string n = std::to_string(run.sent++);
      w.producer().send_event(
          R"({"name":"playback_session","consentCategory":"NECESSARY","payload":{"seq":)" + n +
              R"(,"playbackSessionId":"6f1c2a4e-93b1-4d7a-8c55-)" + n +
              R"(","productId":"251380837","quality":"LOSSLESS"}})",
          w.now);
    }
    w.producer().persist_state();
    w.run_until(t + kStepMs);
    run.peak_backlog = std::max(run.peak_backlog, w.queued());
  }
  run.backlog_at_recovery = w.queued();
  while (w.now < recovery + 90 * kSecond) {
    w.run_until(w.now + 100);
    if (w.queued() == 0) {
      run.drained_after_ms = w.now - recovery;
      break;
    }
  }
  run.storing_failed = w.producer().counters().total(tep::DropReason::kStoringFailed);
  return run;
}

}  // namespace

TEST_CASE(
    "A collector flapping every 5 s under 300 events/s loses nothing, and once it is up the "
    "backlog drains within one maxBackoffMs plus the drain time") {
  // Five runs, as the browser soak is judged: each seed draws other jitter.
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    INFO("seed " << seed);
    auto c = config();  // the defaults: 5 MiB disk cap, one request in flight
    // The counters are read at the end: no report resets them during the run.
    c.monitoring_interval_ms = 10 * kMinute;
    World w(c, seed);
    SoakRun run = run_flapping_soak(w);
    INFO("peak backlog " << run.peak_backlog << ", at recovery " << run.backlog_at_recovery
                         << ", drained after " << run.drained_after_ms << " ms, delivered "
                         << w.delivered.size());
    CHECK(run.storing_failed == 0);
    CHECK(w.delivered.size() == run.sent);
    CHECK_FALSE(w.duplicate_in_flight);
    CHECK(run.drained_after_ms >= 0);
    // A retry sent into the last hang is late after late_retry_ms; then one
    // backoff at most; then the drain, 10 events per 10 ms round trip.
    int64_t drain_ms = static_cast<int64_t>(run.backlog_at_recovery);
    CHECK(run.drained_after_ms <=
          c.scheduler.late_retry_ms + c.scheduler.backoff.max_delay_ms + drain_ms);
  }
}

TEST_CASE("While the queue fills fast the backoff shortens, and Retry-After is still waited out") {
  for (bool retry_after : {false, true}) {
    INFO((retry_after ? "429 with Retry-After: 30" : "503"));
    World w(config());
    w.collector = [&](const SentRequest&) {
      return retry_after ? sim::status(429, "", "30") : sim::status(503);
    };
    const int64_t start = w.now;
    // 300 events/s for 90 s: the default 5 MiB would be full in about a minute.
    for (int64_t t = start; t < start + 90 * kSecond; t += 100) {
      for (int i = 0; i < 30; ++i) w.send("play");
      w.run_until(t + 100);
    }
    std::vector<int64_t> sent_at;  // of the queue's batches, the monitoring report aside
    for (const auto& r : w.requests) {
      if (!r.request.public_only) sent_at.push_back(r.sent_at_ms);
    }
    REQUIRE(sent_at.size() > 2);
    int64_t longest = 0;
    int64_t shortest = kHour;
    for (size_t i = 1; i < sent_at.size(); ++i) {
      int64_t gap = sent_at[i] - sent_at[i - 1];
      if (sent_at[i] > start + 10 * kSecond) longest = std::max(longest, gap);
      shortest = std::min(shortest, gap);
    }
    if (retry_after) {
      CHECK(shortest >= 30 * kSecond);
    } else {
      // Past the first retries, never the full 60 s window: a few seconds at most.
      CHECK(shortest >= kSecond);
      CHECK(longest <= 5 * kSecond);
    }
  }
}

TEST_CASE("A retry that hangs does not hold back the next one, and no event is in two requests") {
  World w(config());
  bool up = false;
  bool first = true;
  w.collector = [&](const SentRequest& r) {
    if (up) return sim::healthy(r.entries);
    if (std::exchange(first, false)) return sim::unreachable();  // into the backoff
    Answer a;  // no answer until the host's 10 s timeout, nothing stored
    a.outcome.kind = tep::HttpOutcome::Kind::kTimeout;
    a.latency_ms = 10 * kSecond;
    return a;
  };
  for (int i = 0; i < 100; ++i) w.send("play");
  w.run_until(w.now + 30 * kSecond);
  // Retries went while earlier ones still hung, at the backoff's pace: with
  // each holding its place until its timeout, 30 s would hold three requests.
  CHECK(queue_batch_requests(w) >= 4);
  bool overlapped = false;
  for (size_t i = 1; i < w.requests.size(); ++i) {
    int64_t gap = w.requests[i].sent_at_ms - w.requests[i - 1].sent_at_ms;
    CHECK(gap >= kSecond);
    if (i >= 2 && gap < 10 * kSecond) overlapped = true;  // both hung
  }
  CHECK(overlapped);
  CHECK_FALSE(w.duplicate_in_flight);
  up = true;
  w.run_until(w.now + 2 * kMinute);
  require_nothing_lost(w, 100);
  CHECK(w.bus == std::vector<BusMessage>{BusMessage::kOutageStart, BusMessage::kOutageEnd});
}
