#include "consent.h"

#include <string>

#include "json_reader.h"

namespace tep {
namespace {

// Reads a headers object only as far as its top-level "consent-category"
// member: a queued event's category is looked up when the queue is
// restored, once per event, so the rest of the headers is never built.
class ConsentCategoryReader : public nlohmann::json_sax<nlohmann::json> {
 public:
  ConsentCategory category = ConsentCategory::kUnknown;

  bool null() override { return value(); }
  bool boolean(bool) override { return value(); }
  bool number_integer(number_integer_t) override { return value(); }
  bool number_unsigned(number_unsigned_t) override { return value(); }
  bool number_float(number_float_t, const string_t&) override { return value(); }
  bool string(string_t& text) override {
    if (depth_ == 1 && in_category_) category = consent_category_named(text);
    return value();
  }
  bool binary(binary_t&) override { return value(); }
  bool start_object(std::size_t) override { return open(); }
  bool key(string_t& text) override {
    // A member given twice has its last value, as JSON.parse reads it.
    in_category_ = depth_ == 1 && text == "consent-category";
    if (in_category_) category = ConsentCategory::kUnknown;
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    category = ConsentCategory::kUnknown;
    return false;
  }

 private:
  bool value() {
    in_category_ = false;
    return true;
  }
  bool open() {
    ++depth_;
    return value();
  }
  bool close() {
    --depth_;
    return true;
  }

  int depth_ = 0;
  bool in_category_ = false;
};

}  // namespace

ConsentCategory consent_category_named(std::string_view name) {
  if (name == "NECESSARY") return ConsentCategory::kNecessary;
  if (name == "PERFORMANCE") return ConsentCategory::kPerformance;
  if (name == "TARGETING") return ConsentCategory::kTargeting;
  return ConsentCategory::kUnknown;
}

ConsentCategory consent_category_of_headers(std::string_view headers_json) {
  ConsentCategoryReader reader;
  if (headers_json.empty() || headers_json.front() != '{') return ConsentCategory::kUnknown;
  if (!read_json_events(headers_json, reader)) return ConsentCategory::kUnknown;
  return reader.category;
}

ConsentCategory consent_category_of_built_headers(std::string_view headers_json) {
  // In JSON text a quote inside a string is escaped, so `,"consent-category":"`
  // (or after the opening brace) can only be the member's key; in a flat
  // object it is a top-level one. Its value is one of three plain names.
  constexpr std::string_view kKey = "\"consent-category\":\"";
  size_t at = headers_json.find(kKey);
  bool plain = at != std::string_view::npos && at > 0 &&
               (headers_json[at - 1] == ',' || headers_json[at - 1] == '{') &&
               headers_json.find(kKey, at + 1) == std::string_view::npos;
  if (plain) {
    size_t value = at + kKey.size();
    size_t end = headers_json.find('"', value);
    ConsentCategory category =
        end == std::string_view::npos
            ? ConsentCategory::kUnknown
            : consent_category_named(headers_json.substr(value, end - value));
    if (category != ConsentCategory::kUnknown) return category;
  }
  return consent_category_of_headers(headers_json);
}

bool ConsentState::allows(ConsentCategory category) const {
  switch (category) {
    case ConsentCategory::kNecessary:
      return true;
    case ConsentCategory::kPerformance:
      return !performance_blocked;
    case ConsentCategory::kTargeting:
      return !targeting_blocked;
    case ConsentCategory::kUnknown:
      break;
  }
  return false;
}

bool ConsentState::purges(ConsentCategory category, int64_t created_ms) const {
  switch (category) {
    case ConsentCategory::kPerformance:
      return created_ms < performance_purged_before_ms;
    case ConsentCategory::kTargeting:
      return created_ms < targeting_purged_before_ms;
    case ConsentCategory::kNecessary:
    case ConsentCategory::kUnknown:
      break;
  }
  return false;
}

}  // namespace tep
