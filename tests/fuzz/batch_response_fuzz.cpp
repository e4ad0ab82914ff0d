// Arbitrary bytes as a collector's answer, and as the event fields the
// request body carries: nothing may crash, a response may only confirm ids it
// really holds, and the form body must decode back to exactly what was sent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "send_message_batch.h"
#include "xml_chars.h"

namespace {

size_t count_occurrences(std::string_view text, std::string_view needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string_view::npos; at = text.find(needle, at + 1))
    ++count;
  return count;
}

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Not empty, nothing to trim, and text an XML document can hold.
bool is_plausible_id(std::string_view id) {
  return !id.empty() && !is_xml_space(id.front()) && !is_xml_space(id.back()) &&
         tep::utf8_has_only_xml_chars(id);
}

bool is_recognised(const tep::BatchResponse& response) {
  return response.kind != tep::BatchResponse::Kind::kUnrecognised;
}

void check_response(std::string_view input) {
  tep::BatchResponse response = tep::decode_batch_response(input);

  if (!is_recognised(response)) {
    if (!response.accepted.empty() || !response.rejected.empty() || !response.error_type.empty() ||
        !response.error_code.empty() || !response.error_message.empty()) {
      std::abort();  // an unrecognised body confirms nothing
    }
    return;
  }

  // Every entry needs a start and an end tag, each spelling its local name.
  if (2 * response.accepted.size() > count_occurrences(input, "SendMessageBatchResultEntry"))
    std::abort();
  if (2 * response.rejected.size() > count_occurrences(input, "BatchResultErrorEntry"))
    std::abort();

  // Without references, CDATA or carriage returns, text reaches the ids as
  // written, so each id is a piece of the input.
  bool text_is_verbatim = input.find('&') == std::string_view::npos &&
                          input.find("<![CDATA[") == std::string_view::npos &&
                          input.find('\r') == std::string_view::npos;
  std::vector<std::string_view> ids(response.accepted.begin(), response.accepted.end());
  for (const auto& entry : response.rejected) ids.push_back(entry.id);
  for (std::string_view id : ids) {
    if (!is_plausible_id(id)) std::abort();
    if (text_is_verbatim && input.find(id) == std::string_view::npos) std::abort();
  }

  // A recognised document is complete: anything but whitespace, comments and
  // processing instructions around it breaks it.
  std::string extended(input);
  extended += '<';
  if (is_recognised(tep::decode_batch_response(extended))) std::abort();
  if (is_recognised(tep::decode_batch_response("x" + std::string(input)))) std::abort();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // the encoder writes upper-case hex only
}

// Splits a form body into its decoded name/value pairs; false if the body
// holds anything URLSearchParams would not have written.
bool parse_form_body(std::string_view body,
                     std::vector<std::pair<std::string, std::string>>& fields) {
  std::string* target = nullptr;
  for (size_t at = 0; at <= body.size(); ++at) {
    if (at == body.size() || body[at] == '&') {
      if (target == nullptr) return false;  // a field without '='
      target = nullptr;
      continue;
    }
    if (target == nullptr) {
      fields.emplace_back();
      target = &fields.back().first;
    }
    char c = body[at];
    if (c == '=' && target == &fields.back().first) {
      target = &fields.back().second;
    } else if (c == '+') {
      *target += ' ';
    } else if (c == '%') {
      if (at + 2 >= body.size() || hex_value(body[at + 1]) < 0 || hex_value(body[at + 2]) < 0) {
        return false;
      }
      *target += static_cast<char>(hex_value(body[at + 1]) * 16 + hex_value(body[at + 2]));
      at += 2;
    } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               c == '*' || c == '-' || c == '.' || c == '_') {
      *target += c;
    } else {
      return false;
    }
  }
  return true;
}

void check_request(std::string_view input) {
  // Entry 1 holds the input in each of its four fields, entry 2 holds empty ones.
  std::vector<tep::Event> events(2);
  events[0].id = events[0].name = events[0].headers = events[0].payload = std::string(input);
  std::string body = tep::encode_send_message_batch(events);

  struct ExpectedField {
    const char* name_suffix;
    const char* fixed_value;  ///< null: the event's text
  };
  static const ExpectedField kExpectedFields[] = {
      {"Id", nullptr},
      {"MessageBody", nullptr},
      {"MessageAttribute.1.Name", "Name"},
      {"MessageAttribute.1.Value.StringValue", nullptr},
      {"MessageAttribute.1.Value.DataType", "String"},
      {"MessageAttribute.2.Name", "Headers"},
      {"MessageAttribute.2.Value.DataType", "String"},
      {"MessageAttribute.2.Value.StringValue", nullptr},
  };
  constexpr size_t kFieldsPerEntry = sizeof kExpectedFields / sizeof kExpectedFields[0];

  std::vector<std::pair<std::string, std::string>> fields;
  if (!parse_form_body(body, fields) || fields.size() != events.size() * kFieldsPerEntry)
    std::abort();
  for (size_t i = 0; i < fields.size(); ++i) {
    size_t entry = i / kFieldsPerEntry;
    const ExpectedField& expected = kExpectedFields[i % kFieldsPerEntry];
    std::string name =
        "SendMessageBatchRequestEntry." + std::to_string(entry + 1) + "." + expected.name_suffix;
    std::string value = expected.fixed_value != nullptr ? expected.fixed_value : events[entry].id;
    if (fields[i].first != name || fields[i].second != value) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_response(input);
  check_request(input);
  return 0;
}
