#include "http_date.h"

#include <catch2/catch.hpp>

TEST_CASE("The three HTTP date forms are read as the same instant") {
  constexpr int64_t kExpected = 784111777000;  // 1994-11-06T08:49:37Z
  CHECK(tep::parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT") == kExpected);
  CHECK(tep::parse_http_date_ms("Sunday, 06-Nov-94 08:49:37 GMT") == kExpected);
  CHECK(tep::parse_http_date_ms("Sun Nov  6 08:49:37 1994") == kExpected);
}

TEST_CASE("Dates around leap years and the epoch are exact") {
  CHECK(tep::parse_http_date_ms("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
  CHECK(tep::parse_http_date_ms("Tue, 29 Feb 2028 12:00:00 GMT") == 1835438400000);
  CHECK(tep::parse_http_date_ms("Sun, 23 Nov 2025 03:33:20 GMT") == 1763868800000);
}

TEST_CASE("Malformed dates are refused") {
  for (const char* text : {"", "yesterday", "Sun, 06 Nov 1994", "Sun, 06 Nov 1994 25:00:00 GMT",
                           "Sun, 06 Xyz 1994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT", ","}) {
    INFO(text);
    CHECK_FALSE(tep::parse_http_date_ms(text));
  }
}
