#include "sent_event_reader.h"

#include <optional>
#include <string>

#include "character_encoding.h"
#include "json_reader.h"
#include "stringify_writer.h"

namespace tep {
namespace {

// JSON.stringify writes a lone surrogate (half of an emoji cut in two, say)
// as an escape such as \ud800, which nlohmann's parser refuses. An event
// holding one is refused like any event with a character outside XML 1.0,
// by the same check and in the same order as the other checks, so it is
// counted as such events always were: each lone surrogate's escape becomes
// \u0000, which is also outside XML 1.0 and as long when written back.
// Returns nullopt when `json` has none (the usual case: nothing is copied).
std::optional<std::string> with_lone_surrogates_replaced(std::string_view json) {
  std::optional<std::string> replaced;
  for (size_t at = json.find('\\'); at != std::string_view::npos; at = json.find('\\', at)) {
    auto unit = read_json_unicode_escape(json, at);
    if (!unit) {
      at += 2;  // another escape: skip the escaped character (it may be a backslash)
      continue;
    }
    bool high = is_high_surrogate(*unit);
    bool low = is_low_surrogate(*unit);
    if (high) {
      auto next = read_json_unicode_escape(json, at + 6);
      if (next && is_low_surrogate(*next)) {
        at += 12;  // a pair: one character beyond U+FFFF
        continue;
      }
    }
    if (high || low) {
      if (!replaced) replaced.emplace(json);
      replaced->replace(at, 6, "\\u0000");
    }
    at += 6;
  }
  return replaced;
}

// Reads the event's members into a SentEvent while writing the message body.
class SentEventReader final : public StringifyWriter {
 public:
  SentEventReader(SentEvent& event, bool lone_surrogates_replaced, std::string_view id,
                  int64_t now_ms)
      : StringifyWriter(event.message_body),
        event_(event),
        lone_surrogates_replaced_(lone_surrogates_replaced),
        id_(id),
        now_ms_(now_ms) {}

  bool null() override {
    return value(false, nullptr, [&] { return StringifyWriter::null(); });
  }
  bool boolean(bool v) override {
    return value(v, nullptr, [&] { return StringifyWriter::boolean(v); });
  }
  bool number_integer(number_integer_t v) override {
    return value(v != 0, nullptr, [&] { return StringifyWriter::number_integer(v); });
  }
  bool number_unsigned(number_unsigned_t v) override {
    return value(v != 0, nullptr, [&] { return StringifyWriter::number_unsigned(v); });
  }
  bool number_float(number_float_t v, const string_t& text) override {
    return value(v != 0, nullptr, [&] { return StringifyWriter::number_float(v, text); });
  }
  bool string(string_t& text) override {
    return value(!text.empty(), &text, [&] { return StringifyWriter::string(text); });
  }

  bool start_object(std::size_t size) override {
    return open_container([&] { return StringifyWriter::start_object(size); });
  }
  bool start_array(std::size_t size) override {
    if (depth_ == 0) return false;  // the event must be an object
    return open_container([&] { return StringifyWriter::start_array(size); });
  }
  bool end_object() override {
    if (depth_ == 1) {
      // The body is {...event, ts, uuid}: ts and uuid replace any the event had.
      write_key("ts");
      write_integer(now_ms_);
      write_key("uuid");
      write_string(id_);
    }
    return close_container([&] { return StringifyWriter::end_object(); });
  }
  bool end_array() override {
    return close_container([&] { return StringifyWriter::end_array(); });
  }

  bool key(string_t& key) override {
    if (depth_ == 1) {
      if (unreadable(key)) return false;
      member_ = key == "name"              ? Member::kName
                : key == "consentCategory" ? Member::kConsentCategory
                : key == "payload"         ? Member::kPayload
                : key == "headers"         ? Member::kHeaders
                                           : Member::kOther;
      // The body is the event without consentCategory.
      skipping_ = member_ == Member::kConsentCategory;
    }
    return skipping_ || StringifyWriter::key(key);
  }

 private:
  enum class Member { kOther, kName, kConsentCategory, kPayload, kHeaders };

  // A name, consent category or top-level key that held a lone surrogate has
  // no UTF-8 form, so it reads as missing (a key: the event is unreadable).
  bool unreadable(const std::string& text) const {
    return lone_surrogates_replaced_ && text.find('\0') != std::string::npos;
  }

  // A value that is not an object or array: `text` when it is a string.
  template <typename Write>
  bool value(bool truthy, const std::string* text, Write write) {
    if (depth_ == 0 || depth_ > kMaxEventNesting) return false;
    if (depth_ == 1) take_top_level(truthy, text);
    if (!skipping_ && !write()) return false;
    if (depth_ == 1) finish_top_level();
    return true;
  }

  template <typename Write>
  bool open_container(Write write) {
    if (depth_ > kMaxEventNesting) return false;
    if (depth_ == 1) take_top_level(/*truthy=*/true, nullptr);
    ++depth_;
    return skipping_ || write();
  }

  template <typename Write>
  bool close_container(Write write) {
    --depth_;
    if (!skipping_ && !write()) return false;
    if (depth_ == 1) finish_top_level();
    return true;
  }

  // A top-level member's value begins: what the Submitter needs of it.
  void take_top_level(bool truthy, const std::string* text) {
    value_start_ = event_.message_body.size();
    auto string_value = [&]() -> std::optional<std::string> {
      if (!text || unreadable(*text)) return std::nullopt;
      return *text;
    };
    switch (member_) {
      case Member::kName:
        event_.name = string_value();
        break;
      case Member::kConsentCategory:
        event_.consent_category = string_value();
        break;
      case Member::kPayload:
        event_.payload_truthy = truthy;
        break;
      case Member::kHeaders:
      case Member::kOther:
        break;
    }
  }

  // A top-level member's value is complete (and written, unless skipped).
  void finish_top_level() {
    if (member_ == Member::kHeaders) event_.headers = event_.message_body.substr(value_start_);
    skipping_ = false;
  }

  SentEvent& event_;
  const bool lone_surrogates_replaced_;
  const std::string_view id_;
  const int64_t now_ms_;
  size_t depth_ = 0;  ///< containers open in the input
  Member member_ = Member::kOther;
  size_t value_start_ = 0;  ///< where the current top-level value starts in the body
  bool skipping_ = false;   ///< in consentCategory, which the body leaves out
};

}  // namespace

SentEvent read_sent_event(std::string_view event_json, std::string_view id, int64_t now_ms) {
  SentEvent event;
  auto replaced = with_lone_surrogates_replaced(event_json);
  std::string_view text = replaced ? std::string_view(*replaced) : event_json;
  event.message_body.reserve(text.size() + 64);
  SentEventReader reader(event, replaced.has_value(), id, now_ms);
  event.readable = read_json_events(text, reader);
  return event;
}

}  // namespace tep
