#include "send_message_batch.h"

#include <array>
#include <cassert>
#include <charconv>
#include <cstring>
#include <iterator>
#include <limits>
#include <utility>

#include "character_encoding.h"
#include "xml_reader.h"

namespace tep {
namespace {

// --- The request body ---------------------------------------------------------

// What URLSearchParams writes for a byte when it writes a single character:
// the byte itself for [A-Za-z0-9*-._], '+' for a space, and 0 for the bytes it
// percent-encodes. One table look-up per byte keeps the encoder's loop tight.
constexpr std::array<char, 256> make_single_char_forms() {
  std::array<char, 256> forms{};
  for (size_t byte = 0; byte < forms.size(); ++byte) {
    bool kept = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                (byte >= '0' && byte <= '9') || byte == '*' || byte == '-' || byte == '.' ||
                byte == '_';
    if (kept) forms[byte] = static_cast<char>(byte);
  }
  forms[' '] = '+';
  return forms;
}
constexpr std::array<char, 256> kSingleCharForm = make_single_char_forms();

constexpr size_t kPercentEncodedLength = 3;  // '%' and two hex digits

size_t form_encoded_length(std::string_view text) {
  size_t length = 0;
  for (char ch : text) {
    length += kSingleCharForm[static_cast<unsigned char>(ch)] != 0 ? 1 : kPercentEncodedLength;
  }
  return length;
}

char* write_form_encoded(std::string_view text, char* out) {
  for (char ch : text) {
    auto byte = static_cast<unsigned char>(ch);
    char single = kSingleCharForm[byte];
    if (single != 0) {
      *out++ = single;
    } else {
      *out++ = '%';
      *out++ = upper_hex_digit(byte >> 4);
      *out++ = upper_hex_digit(byte & 0xF);
    }
  }
  return out;
}

char* write_verbatim(std::string_view text, char* out) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

// The entry number of a field name, as decimal text, without allocating.
class DecimalText {
 public:
  explicit DecimalText(size_t value)
      : length_(static_cast<size_t>(std::to_chars(digits_, digits_ + sizeof digits_, value).ptr -
                                    digits_)) {}
  std::string_view view() const { return {digits_, length_}; }

 private:
  char digits_[std::numeric_limits<size_t>::digits10 + 1];  // room for the largest size_t
  size_t length_;
};

// Field names hold only [A-Za-z0-9.], which the form encoding keeps as they
// are, so they are written verbatim.
constexpr std::string_view kEntryNamePrefix = "SendMessageBatchRequestEntry.";

// One form field of an entry: its name after the entry number, and either the
// event member that fills it or a fixed value.
struct EntryField {
  std::string_view name_suffix;
  const std::string Event::*event_value;
  std::string_view fixed_value;

  std::string_view value_for(const Event& event) const {
    return event_value != nullptr ? std::string_view(event.*event_value) : fixed_value;
  }
};

// In the order the collector's reference client appends them; attribute 2
// names its DataType before its StringValue, attribute 1 the other way round.
constexpr EntryField kEntryFields[] = {
    {".Id", &Event::id, {}},
    {".MessageBody", &Event::payload, {}},
    {".MessageAttribute.1.Name", nullptr, "Name"},
    {".MessageAttribute.1.Value.StringValue", &Event::name, {}},
    {".MessageAttribute.1.Value.DataType", nullptr, "String"},
    {".MessageAttribute.2.Name", nullptr, "Headers"},
    {".MessageAttribute.2.Value.DataType", nullptr, "String"},
    {".MessageAttribute.2.Value.StringValue", &Event::headers, {}},
};

// --- The response body: the collector's fields ------------------------------

constexpr std::string_view kBatchResponse = "SendMessageBatchResponse";
constexpr std::string_view kBatchResult = "SendMessageBatchResult";
constexpr std::string_view kResultEntry = "SendMessageBatchResultEntry";
constexpr std::string_view kErrorEntry = "BatchResultErrorEntry";
constexpr std::string_view kErrorResponse = "ErrorResponse";
constexpr std::string_view kError = "Error";

enum class EntryKind { kNone, kResult, kError };

// The entry that the first three elements of `path` make, if any:
// SendMessageBatchResponse > SendMessageBatchResult > one of the two entries.
EntryKind entry_kind(const ElementPath& path) {
  if (path.size() < 3 || path[0].local_name != kBatchResponse ||
      path[1].local_name != kBatchResult) {
    return EntryKind::kNone;
  }
  if (path[2].local_name == kResultEntry) return EntryKind::kResult;
  if (path[2].local_name == kErrorEntry) return EntryKind::kError;
  return EntryKind::kNone;
}

// ErrorResponse > Error > (the element closing now)
bool is_error_field(const ElementPath& path) {
  return path.size() == 3 && path[0].local_name == kErrorResponse && path[1].local_name == kError;
}

// Picks the collector's fields out of the element events; knows nothing of
// XML syntax. What it gathers counts only once the whole document has been
// read without a fault.
class ResponseFields final : public ElementHandler {
 public:
  void on_open(const ElementPath& path) override {
    if (path.size() == 1) root_ = path.front().local_name;
    if (path.size() == 3 && entry_kind(path) != EntryKind::kNone) entry_ = Entry();
  }

  /// `text` is null for an element with child elements: it holds no value
  /// the collector could mean.
  void on_close(const ElementPath& path, const std::string* text) override {
    std::string_view name = path.back().local_name;
    std::string_view value = text != nullptr ? trim_xml_space(*text) : std::string_view();
    if (path.size() == 4) {
      EntryKind kind = entry_kind(path);
      if (kind == EntryKind::kNone) return;
      if (name == "Id") {
        ++entry_.ids_seen;
        entry_.fields.id = value;
      } else if (kind == EntryKind::kError && name == "SenderFault") {
        // xsd:boolean; anything else reads as false, which keeps the event.
        entry_.fields.sender_fault = value == "true" || value == "1";
      } else if (kind == EntryKind::kError && name == "Code") {
        entry_.fields.code = value;
      } else if (kind == EntryKind::kError && name == "Message") {
        entry_.fields.message = value;
      }
    } else if (path.size() == 3) {
      EntryKind kind = entry_kind(path);
      if (kind == EntryKind::kResult && entry_.has_one_id()) {
        response_.accepted.push_back(std::move(entry_.fields.id));
      } else if (kind == EntryKind::kError && entry_.has_one_id()) {
        response_.rejected.push_back(std::move(entry_.fields));
      } else if (is_error_field(path) && name == "Type") {
        response_.error_type = value;
      } else if (is_error_field(path) && name == "Code") {
        response_.error_code = value;
      } else if (is_error_field(path) && name == "Message") {
        response_.error_message = value;
      }
    }
  }

  BatchResponse finish() && {
    if (root_ == kBatchResponse) {
      response_.kind = BatchResponse::Kind::kBatchResult;
    } else if (root_ == kErrorResponse) {
      response_.kind = BatchResponse::Kind::kErrorResponse;
    } else {
      return BatchResponse();
    }
    return std::move(response_);
  }

 private:
  struct Entry {
    BatchEntryError fields;
    int ids_seen = 0;
    // An entry naming no id, or two, confirms nothing: which event it means
    // is unknown.
    bool has_one_id() const { return ids_seen == 1 && !fields.id.empty(); }
  };

  std::string_view root_;
  Entry entry_;
  BatchResponse response_;
};

}  // namespace

std::string encode_send_message_batch(const std::vector<Event>& events) {
  // Measured first so that the body, built for every batch, is allocated once.
  size_t length = 0;
  for (size_t index = 0; index < events.size(); ++index) {
    size_t number_length = DecimalText(index + 1).view().size();
    for (const EntryField& field : kEntryFields) {
      length += kEntryNamePrefix.size() + number_length + field.name_suffix.size() + 1 /* '=' */ +
                form_encoded_length(field.value_for(events[index]));
    }
  }
  size_t field_count = events.size() * std::size(kEntryFields);
  if (field_count > 1) length += field_count - 1;  // the '&' between fields

  std::string body(length, '\0');
  char* out = body.data();
  for (size_t index = 0; index < events.size(); ++index) {
    DecimalText number(index + 1);
    for (const EntryField& field : kEntryFields) {
      if (out != body.data()) *out++ = '&';
      out = write_verbatim(kEntryNamePrefix, out);
      out = write_verbatim(number.view(), out);
      out = write_verbatim(field.name_suffix, out);
      *out++ = '=';
      out = write_form_encoded(field.value_for(events[index]), out);
    }
  }
  assert(out == body.data() + body.size());
  return body;
}

BatchResponse decode_batch_response(std::string_view body) {
  ResponseFields fields;
  if (!read_xml_document(body, fields)) return BatchResponse();
  return std::move(fields).finish();
}

}  // namespace tep
