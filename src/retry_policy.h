// When to try again after a failed send: exponential backoff with full
// jitter, and the collector's Retry-After when it gives one.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tep {

struct BackoffConfig {
  /// Upper bound of the first retry's delay: 2 s, so a blip costs little
  /// and the first retry's jittered half, [1 s, 2 s], already clears the floor.
  int64_t first_delay_ms = 2000;
  /// No retry after a failure comes sooner than this, whatever the cap: a
  /// dead collector is never asked more than once a second.
  int64_t min_delay_ms = 1000;
  /// Cap of the backoff window (maxBackoffMs; producer_config.cpp gives its
  /// default).
  int64_t max_delay_ms = 0;
  /// Cap on a Retry-After the collector asks for: 10 min, so a wrong header
  /// can't park the queue for hours.
  int64_t max_retry_after_ms = 600000;
};

/// Delay before retry number `failures` (1 = first retry): uniform in
/// [window/2, window] where window = min(max, first * 2^(failures-1)), and
/// never below min_delay_ms. Half the window is kept as a floor so a run of
/// unlucky draws can't turn into a tight loop; the other half spreads many
/// clients apart.
/// `random01` is a uniform draw in [0, 1).
int64_t backoff_delay_ms(const BackoffConfig& config, uint32_t failures, double random01);

/// The backoff window's cap while the queue fills during an outage: a
/// sixteenth of the time its free room lasts at the rate it has filled since
/// the first failure (`grown_bytes` in `elapsed_ms`), never above max_delay_ms
/// nor below min_delay_ms; max_delay_ms when the queue has not grown. Events
/// dropped at maxDiskUsageBytes are lost for good, while a retry of a failing
/// collector costs one small request: a collector that comes back for a few
/// seconds between failures must be met before the queue is full. Sixteen
/// retries before it would be full: at 300 events/s into the default 5 MiB,
/// a 2.5 s window at first, down to the 1 s floor as the queue fills, which
/// meets a collector up for 5 s in every 20 early enough to keep the queue
/// below two thirds of its cap (eight retries met it too late to keep it
/// clear of the cap; thirty-two sent more of them into its hangs). An app
/// that sends a few events a minute keeps the configured cap.
int64_t filling_queue_cap_ms(const BackoffConfig& config, uint64_t free_bytes, uint64_t grown_bytes,
                             int64_t elapsed_ms);

/// Delay the collector asked for in a Retry-After header (delta-seconds or
/// an HTTP date, compared to the collector's own `date_header` when given,
/// else to `now_ms`), capped; nullopt if absent or unreadable.
std::optional<int64_t> retry_after_delay_ms(const BackoffConfig& config,
                                            std::string_view retry_after,
                                            std::string_view date_header, int64_t now_ms);

}  // namespace tep
