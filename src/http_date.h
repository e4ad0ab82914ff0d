// HTTP dates (RFC 9110 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT"),
// read from the collector's Date and Retry-After headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace tep {

/// Milliseconds since the Unix epoch, or nullopt if `text` is not an IMF-fixdate
/// (the obsolete RFC 850 and asctime forms are also accepted).
std::optional<int64_t> parse_http_date_ms(std::string_view text);

}  // namespace tep
