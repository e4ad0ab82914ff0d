// Consent: the category a stored event's headers carry, the rule of
// ConsentState, and that rule at every exit: no request the producer builds
// (scheduler, flush, keepalive, the page's leaving batch, after a restore or
// an adoption) holds an event of a category the consent in force blocks.
#include "consent.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "event_queue.h"
#include "simulated_world.h"

using sim::config;
using sim::kHour;
using sim::kMinute;
using sim::kSecond;
using sim::World;
using tep::ConsentCategory;

namespace {

// In these worlds an event's name is its category's, so a request's entries
// tell which categories left.
std::vector<std::string> names_sent(const World& w) {
  std::vector<std::string> names;
  for (const auto& request : w.requests) {
    if (request.request.public_only) continue;  // the monitoring report
    for (const auto& entry : request.entries) names.push_back(entry.name);
  }
  return names;
}

size_t count_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<size_t>(std::count(names.begin(), names.end(), name));
}

tep::ConsentState targeting_blocked() {
  tep::ConsentState consent;
  consent.targeting_blocked = true;
  return consent;
}

tep::ConsentState targeting_purged() {
  tep::ConsentState consent = targeting_blocked();
  consent.targeting_purged_before_ms = tep::kEverythingPurged;
  return consent;
}

// A world whose monitoring report never comes in the way of what is tested.
tep::ProducerConfig quiet_config() {
  auto c = config();
  c.monitoring_interval_ms = 1000 * kHour;
  return c;
}

// Three TARGETING and two NECESSARY events, stored while the collector is down.
void store_mixed_events(World& w) {
  w.producer().set_online(false, w.now);
  for (int i = 0; i < 3; ++i) w.send("TARGETING", "TARGETING");
  for (int i = 0; i < 2; ++i) w.send("NECESSARY", "NECESSARY");
}

}  // namespace

TEST_CASE("A stored event's category is read from its consent-category header") {
  CHECK(tep::consent_category_of_headers(R"({"client-id":"c","consent-category":"TARGETING"})") ==
        ConsentCategory::kTargeting);
  CHECK(tep::consent_category_of_headers(R"({"consent-category":"PERFORMANCE","x":"y"})") ==
        ConsentCategory::kPerformance);
  CHECK(tep::consent_category_of_headers(R"({"consent-category":"NECESSARY"})") ==
        ConsentCategory::kNecessary);
  // The last of a key given twice, as JSON.parse reads it.
  CHECK(tep::consent_category_of_headers(
            R"({"consent-category":"NECESSARY","consent-category":"TARGETING"})") ==
        ConsentCategory::kTargeting);
  // Nested objects and other members of that name are not the header.
  CHECK(tep::consent_category_of_headers(R"({"a":{"consent-category":"NECESSARY"}})") ==
        ConsentCategory::kUnknown);
  CHECK(tep::consent_category_of_headers(R"({"consent-category":"necessary"})") ==
        ConsentCategory::kUnknown);
  CHECK(tep::consent_category_of_headers(R"({"consent-category":1})") == ConsentCategory::kUnknown);
  CHECK(tep::consent_category_of_headers("{") == ConsentCategory::kUnknown);
  CHECK(tep::consent_category_of_headers("") == ConsentCategory::kUnknown);
  CHECK(tep::consent_category_of_headers(R"(["consent-category","NECESSARY"])") ==
        ConsentCategory::kUnknown);
}

TEST_CASE("Headers as the Submitter builds them are read without parsing, others by parsing") {
  std::string built =
      R"({"app-name":"a,\"consent-category\":\"NECESSARY","client-id":"c",)"
      R"("consent-category":"TARGETING","requested-sent-timestamp":1,"authorization":""})";
  CHECK(tep::consent_category_of_built_headers(built) == ConsentCategory::kTargeting);
  CHECK(tep::consent_category_of_headers(built) == ConsentCategory::kTargeting);
  // Not as built: a member given twice, spaces, no such member.
  CHECK(tep::consent_category_of_built_headers(
            R"({"consent-category":"NECESSARY","consent-category":"TARGETING"})") ==
        ConsentCategory::kTargeting);
  CHECK(tep::consent_category_of_built_headers(R"({ "consent-category" : "PERFORMANCE" })") ==
        ConsentCategory::kPerformance);
  CHECK(tep::consent_category_of_built_headers(R"({"client-id":"c"})") ==
        ConsentCategory::kUnknown);
}

TEST_CASE("NECESSARY is always allowed and an unknown category never is") {
  tep::ConsentState consent;
  consent.performance_blocked = true;
  consent.targeting_blocked = true;
  CHECK(consent.allows(ConsentCategory::kNecessary));
  CHECK_FALSE(consent.allows(ConsentCategory::kPerformance));
  CHECK_FALSE(consent.allows(ConsentCategory::kTargeting));
  CHECK_FALSE(tep::ConsentState().allows(ConsentCategory::kUnknown));
}

TEST_CASE("A purge covers the events of its category created before its time") {
  tep::ConsentState consent;
  CHECK_FALSE(consent.purges(ConsentCategory::kTargeting, 0));
  consent.targeting_purged_before_ms = 1000;
  CHECK(consent.purges(ConsentCategory::kTargeting, 999));
  CHECK_FALSE(consent.purges(ConsentCategory::kTargeting, 1000));
  CHECK_FALSE(consent.purges(ConsentCategory::kPerformance, 999));
  consent.targeting_purged_before_ms = tep::kEverythingPurged;
  CHECK(consent.purges(ConsentCategory::kTargeting, int64_t{1} << 60));
  consent.performance_purged_before_ms = tep::kEverythingPurged;
  CHECK_FALSE(consent.purges(ConsentCategory::kNecessary, 0));
}

TEST_CASE("No request holds an event of a blocked category, whatever builds it") {
  World w(quiet_config());
  store_mixed_events(w);
  w.producer().set_consent(targeting_blocked());
  w.producer().set_online(true, w.now);

  SECTION("the scheduler") { w.run_until(w.now + 10 * kMinute); }
  SECTION("flush") {
    w.producer().flush(w.now);
    w.run_until(w.now + kSecond);
  }
  SECTION("the keepalive batch and the page's leaving batch") {
    std::string leaving = w.producer().leaving_batch_body(60000);
    CHECK(leaving.find("TARGETING") == std::string::npos);
    CHECK(sim::entries_of(leaving).size() == 2);
    w.producer().send_keepalive(60000, w.now);
    w.run_until(w.now + kSecond);
  }
  SECTION("a restored store") {
    w.reopen();
    w.producer().set_consent(targeting_blocked());
    w.run_until(w.now + 10 * kMinute);
  }
  SECTION("an adopted store") {
    World adopter(quiet_config());
    adopter.producer().set_consent(targeting_blocked());
    CHECK(adopter.producer().adopt(w.disk, adopter.now).taken == 5);
    adopter.run_until(adopter.now + 10 * kMinute);
    CHECK(count_of(names_sent(adopter), "TARGETING") == 0);
    CHECK(count_of(names_sent(adopter), "NECESSARY") == 2);
    CHECK(adopter.producer().stats().held_by_consent == 3);
  }
  std::vector<std::string> sent = names_sent(w);
  CHECK(count_of(sent, "TARGETING") == 0);
  CHECK(w.producer().stats().held_by_consent == 3);
}

TEST_CASE("Held events leave once their category is allowed again, and only then") {
  World w(quiet_config());
  store_mixed_events(w);
  w.producer().set_consent(targeting_blocked());
  w.producer().set_online(true, w.now);
  w.run_until(w.now + 10 * kMinute);
  CHECK(count_of(names_sent(w), "NECESSARY") == 2);
  CHECK(count_of(names_sent(w), "TARGETING") == 0);
  // Nothing sendable is left: the producer sleeps rather than spins.
  CHECK(w.producer().next_wake_ms(w.now) == -1);
  CHECK(w.queued() == 3);

  w.producer().set_consent(tep::ConsentState());
  w.run_until(w.now + 10 * kMinute);
  CHECK(count_of(names_sent(w), "TARGETING") == 3);
  CHECK(w.queued() == 0);
  CHECK(w.raw_duplicates == 0);
}

TEST_CASE("A purge removes its category from the queue, counted, and the rest is kept") {
  World w(quiet_config());
  store_mixed_events(w);
  w.producer().set_consent(targeting_purged());
  CHECK(w.queued() == 2);
  CHECK(w.producer().counters().total(tep::DropReason::kConsentFiltered) == 3);
  // Allowed again later: the purged events are gone for good.
  tep::ConsentState allowed;
  allowed.targeting_purged_before_ms = w.now;
  w.producer().set_consent(allowed);
  w.producer().set_online(true, w.now);
  w.run_until(w.now + 10 * kMinute);
  CHECK(count_of(names_sent(w), "TARGETING") == 0);
  CHECK(count_of(names_sent(w), "NECESSARY") == 2);
}

TEST_CASE("A purge reaches a store whose worker never heard of it") {
  // The tab's worker ended before the purge reached it: its store still
  // holds the events. The next worker starts from the site's consent.
  World w(quiet_config());
  store_mixed_events(w);
  w.now += kMinute;
  tep::ConsentState allowed_again;  // purged a moment ago, allowed again since
  allowed_again.targeting_purged_before_ms = w.now - kSecond;
  auto c = quiet_config();
  c.submitter.consent = allowed_again;
  World next(c);
  next.disk = w.disk;
  next.now = w.now;
  next.reopen();
  CHECK(next.queued() == 2);
  CHECK(next.producer().counters().total(tep::DropReason::kConsentFiltered) == 3);

  SECTION("and a store another tab left, adopted here") {
    World adopter(quiet_config());
    adopter.now = w.now;
    adopter.producer().set_consent(allowed_again);
    CHECK(adopter.producer().adopt(w.disk, adopter.now).taken == 2);
    CHECK(adopter.producer().counters().total(tep::DropReason::kConsentFiltered) == 3);
    adopter.run_until(adopter.now + 10 * kMinute);
    CHECK(count_of(names_sent(adopter), "TARGETING") == 0);
  }
}

TEST_CASE("An event held back by consent until its TTL ends is counted as consent-filtered") {
  auto c = quiet_config();
  c.queue.ttl_ms = kHour;
  World w(c);
  store_mixed_events(w);
  w.producer().set_consent(targeting_blocked());
  w.producer().set_online(true, w.now);
  w.run_until(w.now + 2 * kHour);
  CHECK(w.queued() == 0);
  CHECK(w.producer().counters().total(tep::DropReason::kConsentFiltered) == 3);
  CHECK(w.producer().counters().total(tep::DropReason::kStoringFailed) == 0);
  CHECK(count_of(names_sent(w), "TARGETING") == 0);
}

TEST_CASE("A restored event that could never be sent is counted, never left to sit") {
  World w(quiet_config());
  w.producer().set_online(false, w.now);
  w.send("NECESSARY", "NECESSARY");
  tep::TokenKeeper tokens;
  tep::EventQueue other_writer(w.disk, tep::default_producer_config().queue, tokens);
  other_writer.restore(w.now);
  other_writer.append({"no-category", "stray", R"({"client-id":"c"})", "{}", w.now, 0});
  other_writer.append({"too-large", "huge", R"({"consent-category":"NECESSARY"})",
                       std::string(20480, 'x'), w.now, 0});
  w.reopen();
  CHECK(w.queued() == 1);
  CHECK(w.producer().counters().total(tep::DropReason::kValidationFailed) == 2);
}
