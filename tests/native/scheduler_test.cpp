// Deterministic simulations of the scheduler inside the whole producer: a
// fake clock and a fake collector, hours of faults in milliseconds.
#include <catch2/catch.hpp>

#include "simulated_world.h"

using sim::Answer;
using sim::SentRequest;
using sim::World;
using tep::BusMessage;

namespace {

constexpr int64_t kSecond = 1000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;

tep::ProducerConfig config(int64_t interval_ms = 30 * kSecond) {
  tep::ProducerConfig c = tep::default_producer_config();
  c.submitter.client.app_name = "sim";
  c.scheduler.batch_interval_ms = interval_ms;
  c.scheduler.backoff.max_delay_ms = std::max(kMinute, interval_ms);  // maxBackoffMs's default
  c.monitoring_interval_ms = kMinute;
  return c;
}

size_t queue_batch_requests(const World& w) {
  return static_cast<size_t>(
      std::count_if(w.requests.begin(), w.requests.end(),
                    [](const SentRequest& r) { return !r.request.public_only; }));
}

// Every event the producer accepted is delivered or counted, none twice in flight.
void require_nothing_lost(World& w, size_t sent, size_t counted = 0) {
  REQUIRE_FALSE(w.duplicate_in_flight);
  REQUIRE(w.producer().queue().size() == 0);
  REQUIRE(w.delivered.size() + counted == sent);
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
  tep::Event e{"dup-id", "play", "{}", "{}", w.now, 0};
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
  CHECK(w.producer().outage());
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
  w.producer().set_consent({false, true}, /*purge=*/true);
  CHECK(w.producer().queue().size() == 2);
  CHECK(w.producer().counters().to_json().find(R"("consentFilteredEvents":{"ad":2})") !=
        std::string::npos);
  w.producer().set_consent({true, true}, /*purge=*/false);
  CHECK(w.producer().queue().size() == 2);  // without purge, queued events stay
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
