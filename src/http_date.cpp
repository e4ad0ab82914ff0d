#include "http_date.h"

#include <cctype>
#include <cstring>

namespace tep {
namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm), so no
// time zone state of the C library is involved.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  void skip_spaces() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  bool skip_until_after(char c) {
    while (i_ < s_.size() && s_[i_] != c) ++i_;
    if (i_ >= s_.size()) return false;
    ++i_;
    return true;
  }
  bool number(int& out, size_t min_digits, size_t max_digits) {
    size_t start = i_;
    out = 0;
    while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_])) &&
           i_ - start < max_digits) {
      out = out * 10 + (s_[i_++] - '0');
    }
    return i_ - start >= min_digits;
  }
  bool literal(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool month(int& out) {
    if (i_ + 3 > s_.size()) return false;
    for (int m = 0; m < 12; ++m) {
      if (s_.compare(i_, 3, kMonths[m]) == 0) {
        out = m + 1;
        i_ += 3;
        return true;
      }
    }
    return false;
  }
  bool separator() { return literal(' ') || literal('-'); }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool valid(int year, int month, int day, int h, int m, int s) {
  return year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && h <= 23 && m <= 59 &&
         s <= 60;
}

}  // namespace

std::optional<int64_t> parse_http_date_ms(std::string_view text) {
  Cursor c(text);
  int day = 0, month = 0, year = 0, h = 0, m = 0, s = 0;
  bool has_comma = text.find(',') != std::string_view::npos;
  if (has_comma) {
    // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT"
    if (!c.skip_until_after(',')) return std::nullopt;
    c.skip_spaces();
    if (!c.number(day, 1, 2) || !c.separator() || !c.month(month) || !c.separator() ||
        !c.number(year, 2, 4)) {
      return std::nullopt;
    }
    if (year < 100) year += year < 70 ? 2000 : 1900;
  } else {
    // asctime "Sun Nov  6 08:49:37 1994"
    if (!c.skip_until_after(' ')) return std::nullopt;
    if (!c.month(month)) return std::nullopt;
    c.skip_spaces();
    if (!c.number(day, 1, 2)) return std::nullopt;
  }
  c.skip_spaces();
  if (!c.number(h, 2, 2) || !c.literal(':') || !c.number(m, 2, 2) || !c.literal(':') ||
      !c.number(s, 2, 2)) {
    return std::nullopt;
  }
  if (!has_comma) {
    c.skip_spaces();
    if (!c.number(year, 4, 4)) return std::nullopt;
  }
  if (!valid(year, month, day, h, m, s)) return std::nullopt;
  int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + h) * 60 + m) * 60000 + static_cast<int64_t>(s) * 1000;
}

}  // namespace tep
