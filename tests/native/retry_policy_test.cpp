#include "retry_policy.h"

#include <catch2/catch.hpp>

#include "producer_config.h"

namespace {

// The backoff the producer runs with unless the app's config sets eventBatchInterval.
tep::BackoffConfig default_backoff() { return tep::default_producer_config().scheduler.backoff; }

}  // namespace

TEST_CASE("Backoff windows double from the first delay up to the cap") {
  tep::BackoffConfig config = default_backoff();  // 2 s first, 60 s cap
  for (double draw : {0.0, 0.5, 0.999999}) {
    CHECK(tep::backoff_delay_ms(config, 1, draw) >= 1000);
    CHECK(tep::backoff_delay_ms(config, 1, draw) <= 2000);
    CHECK(tep::backoff_delay_ms(config, 2, draw) >= 2000);
    CHECK(tep::backoff_delay_ms(config, 2, draw) <= 4000);
    CHECK(tep::backoff_delay_ms(config, 12, draw) >= 30000);
    CHECK(tep::backoff_delay_ms(config, 12, draw) <= 60000);
    CHECK(tep::backoff_delay_ms(config, 4000000000u, draw) <= 60000);
  }
}

TEST_CASE("Jitter spreads delays across the upper half of the window") {
  tep::BackoffConfig config = default_backoff();
  CHECK(tep::backoff_delay_ms(config, 5, 0.0) == 16000);
  CHECK(tep::backoff_delay_ms(config, 5, 0.5) == 24000);
  CHECK(tep::backoff_delay_ms(config, 5, 0.99999) == 31999);
}

TEST_CASE("The delay after a failure is never below a second, even under a smaller cap") {
  tep::BackoffConfig config = default_backoff();
  config.max_delay_ms = 200;
  for (uint32_t failures : {1u, 2u, 10u}) {
    for (double draw : {0.0, 0.5, 0.999999})
      CHECK(tep::backoff_delay_ms(config, failures, draw) == 1000);
  }
  config = default_backoff();
  for (double draw : {0.0, 0.5, 0.999999}) CHECK(tep::backoff_delay_ms(config, 1, draw) >= 1000);
}

TEST_CASE("A queue filling during an outage caps the backoff at a sixteenth of its time to full") {
  tep::BackoffConfig config = default_backoff();  // 60 s cap
  // 1 MiB free, filled at 128 KiB/s: full in 8 s, so at most 500 ms, raised to the 1 s floor.
  CHECK(tep::filling_queue_cap_ms(config, 1024 * 1024, 128 * 1024, 1000) == 1000);
  // 5 MiB free at 128 KiB/s: full in 40 s, so a 2.5 s window.
  CHECK(tep::filling_queue_cap_ms(config, 5 * 1024 * 1024, 128 * 1024, 1000) == 2500);
  // A trickle (1 KiB a minute): full in days; the configured cap holds.
  CHECK(tep::filling_queue_cap_ms(config, 5 * 1024 * 1024, 1024, 60000) == 60000);
  // Nothing queued since the outage began, or no time elapsed: the configured cap.
  CHECK(tep::filling_queue_cap_ms(config, 5 * 1024 * 1024, 0, 60000) == 60000);
  CHECK(tep::filling_queue_cap_ms(config, 5 * 1024 * 1024, 1024, 0) == 60000);
  // A full queue: the floor, never below it.
  CHECK(tep::filling_queue_cap_ms(config, 0, 1024, 1000) == 1000);
  // Sizes and times far beyond any real queue don't overflow.
  CHECK(tep::filling_queue_cap_ms(config, UINT64_MAX, 1, INT64_MAX) == 60000);
}

TEST_CASE("Retry-After in seconds is honoured and capped at ten minutes") {
  tep::BackoffConfig config = default_backoff();
  CHECK(tep::retry_after_delay_ms(config, "120", "", 0) == 120000);
  CHECK(tep::retry_after_delay_ms(config, " 0 ", "", 0) == 0);
  CHECK(tep::retry_after_delay_ms(config, "86400", "", 0) == 600000);
  CHECK(tep::retry_after_delay_ms(config, "99999999999999999999", "", 0) == 600000);
}

TEST_CASE("Retry-After as an HTTP date is measured against the collector's own Date") {
  tep::BackoffConfig config = default_backoff();
  CHECK(tep::retry_after_delay_ms(config, "Wed, 21 Oct 2015 07:28:30 GMT",
                                  "Wed, 21 Oct 2015 07:28:00 GMT", 0) == 30000);
  // Without a Date header the client's clock is the reference.
  CHECK(tep::retry_after_delay_ms(config, "Wed, 21 Oct 2015 07:28:30 GMT", "", 1445412480000) ==
        30000);
  // A date in the past means "now".
  CHECK(tep::retry_after_delay_ms(config, "Wed, 21 Oct 2015 07:28:30 GMT",
                                  "Wed, 21 Oct 2015 08:00:00 GMT", 0) == 0);
}

TEST_CASE("An unreadable Retry-After is ignored") {
  tep::BackoffConfig config = default_backoff();
  for (const char* value : {"", "soon", "-5", "1.5", "Wed, 99 Foo 2015 07:28:30 GMT"}) {
    INFO(value);
    CHECK_FALSE(tep::retry_after_delay_ms(config, value, "", 0));
  }
}
