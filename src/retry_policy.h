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

/// Delay the collector asked for in a Retry-After header (delta-seconds or
/// an HTTP date, compared to the collector's own `date_header` when given,
/// else to `now_ms`), capped; nullopt if absent or unreadable.
std::optional<int64_t> retry_after_delay_ms(const BackoffConfig& config,
                                            std::string_view retry_after,
                                            std::string_view date_header, int64_t now_ms);

}  // namespace tep
