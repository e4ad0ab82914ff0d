#include "retry_policy.h"

#include <algorithm>

#include "http_date.h"

namespace tep {

int64_t backoff_delay_ms(const BackoffConfig& config, uint32_t failures, double random01) {
  int64_t window = config.first_delay_ms;
  for (uint32_t i = 1; i < failures && window < config.max_delay_ms; ++i) window *= 2;
  window = std::min(window, config.max_delay_ms);
  double draw = std::clamp(random01, 0.0, 1.0);
  // Equal jitter: half the window for sure, the other half drawn.
  int64_t fixed_half = window / 2;
  int64_t drawn_half = window - fixed_half;
  int64_t delay = fixed_half + static_cast<int64_t>(draw * static_cast<double>(drawn_half));
  return std::max(delay, config.min_delay_ms);
}

int64_t filling_queue_cap_ms(const BackoffConfig& config, uint64_t free_bytes, uint64_t grown_bytes,
                             int64_t elapsed_ms) {
  // Sixteen chances to meet the collector up before the queue is full: see the header.
  constexpr double kRetriesBeforeFull = 16;
  if (grown_bytes == 0 || elapsed_ms <= 0) return config.max_delay_ms;
  // In double: free room and elapsed time multiplied may pass int64's range.
  double until_full_ms = static_cast<double>(free_bytes) * static_cast<double>(elapsed_ms) /
                         static_cast<double>(grown_bytes);
  double cap = until_full_ms / kRetriesBeforeFull;
  if (cap >= static_cast<double>(config.max_delay_ms)) return config.max_delay_ms;
  return std::max(static_cast<int64_t>(cap), config.min_delay_ms);
}

std::optional<int64_t> retry_after_delay_ms(const BackoffConfig& config,
                                            std::string_view retry_after,
                                            std::string_view date_header, int64_t now_ms) {
  while (!retry_after.empty() && retry_after.front() == ' ') retry_after.remove_prefix(1);
  while (!retry_after.empty() && retry_after.back() == ' ') retry_after.remove_suffix(1);
  if (retry_after.empty()) return std::nullopt;
  int64_t delay;
  if (retry_after.find_first_not_of("0123456789") == std::string_view::npos) {
    if (retry_after.size() > 9) return config.max_retry_after_ms;  // absurdly long: cap
    delay = 0;
    for (char c : retry_after) delay = delay * 10 + (c - '0');
    delay *= 1000;
  } else {
    auto at = parse_http_date_ms(retry_after);
    if (!at) return std::nullopt;
    auto server_now = parse_http_date_ms(date_header);
    delay = *at - (server_now ? *server_now : now_ms);
  }
  return std::clamp<int64_t>(delay, 0, config.max_retry_after_ms);
}

}  // namespace tep
