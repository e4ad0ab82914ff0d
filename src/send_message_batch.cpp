#include "send_message_batch.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <utility>

#include "xml_chars.h"

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
constexpr char kUpperHexDigits[] = "0123456789ABCDEF";

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
      *out++ = kUpperHexDigits[byte >> 4];
      *out++ = kUpperHexDigits[byte & 0xF];
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

// --- The response body: XML syntax ------------------------------------------

// Collector responses nest four elements deep; a document far deeper is not
// one of them, and the cap bounds the element stack whatever the input.
constexpr size_t kMaxDepth = 64;

// Past the largest code point; character references saturate here so that
// a long run of digits cannot overflow.
constexpr uint32_t kBeyondUnicode = 0x110000;

constexpr std::string_view kUtf8ByteOrderMark = "\xEF\xBB\xBF";

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_decimal_digit(char c) { return c >= '0' && c <= '9'; }

// XML's NameStartChar and NameChar, with every non-ASCII character accepted:
// the body is known to be valid UTF-8 by then, and no name the collector
// sends uses one.
bool is_name_start_byte(char c) {
  return is_ascii_letter(c) || c == '_' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

bool is_name_byte(char c) {
  return is_name_start_byte(c) || is_decimal_digit(c) || c == '-' || c == '.';
}

int hex_digit_value(char c) {
  if (is_decimal_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Namespaces in XML: at most one colon, with a prefix and a local part around
// it. The prefix itself is ignored: elements are matched by local name.
bool split_qualified_name(std::string_view name, std::string_view& local) {
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) {
    local = name;
    return true;
  }
  bool second_colon = name.find(':', colon + 1) != std::string_view::npos;
  if (colon == 0 || colon + 1 == name.size() || second_colon) return false;
  local = name.substr(colon + 1);
  return is_name_start_byte(local.front());
}

void append_utf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// The reference starting at raw[at] == '&': appends what it stands for to
// `out` (when given) and moves `at` past its ';'. False for an unknown
// entity (nothing declared in a DOCTYPE is expanded) or a character reference
// to something that is not an XML Char.
bool decode_reference(std::string_view raw, size_t& at, std::string* out) {
  size_t semicolon = raw.find(';', at + 1);
  if (semicolon == std::string_view::npos) return false;
  std::string_view reference = raw.substr(at + 1, semicolon - at - 1);
  at = semicolon + 1;

  static constexpr std::pair<std::string_view, char> kPredefinedEntities[] = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (const auto& entity : kPredefinedEntities) {
    if (reference == entity.first) {
      if (out != nullptr) *out += entity.second;
      return true;
    }
  }

  if (reference.empty() || reference.front() != '#') return false;
  bool hexadecimal = reference.size() > 1 && reference[1] == 'x';  // XML allows only a lower-case x
  std::string_view digits = reference.substr(hexadecimal ? 2 : 1);
  if (digits.empty()) return false;
  uint32_t code_point = 0;
  for (char c : digits) {
    int digit = hexadecimal ? hex_digit_value(c) : (is_decimal_digit(c) ? c - '0' : -1);
    if (digit < 0) return false;
    code_point = std::min(code_point * (hexadecimal ? 16 : 10) + static_cast<uint32_t>(digit),
                          kBeyondUnicode);
  }
  if (!is_xml_char(code_point)) return false;
  if (out != nullptr) append_utf8(code_point, *out);
  return true;
}

// Character data as XML hands it on: end-of-line normalised (CR LF and a lone
// CR become LF, as a browser's DOMParser does). References are decoded when
// `decode_references` is set; CDATA sections pass it unset.
bool append_character_data(std::string_view raw, bool decode_references, std::string& out) {
  auto needs_work = [decode_references](char c) {
    return c == '\r' || (c == '&' && decode_references);
  };
  size_t at = 0;
  while (at < raw.size()) {
    size_t run_end = at;
    while (run_end < raw.size() && !needs_work(raw[run_end])) ++run_end;
    out.append(raw.data() + at, run_end - at);
    at = run_end;
    if (at == raw.size()) break;
    if (raw[at] == '&') {
      if (!decode_reference(raw, at, &out)) return false;
    } else {
      out += '\n';
      at += at + 1 < raw.size() && raw[at + 1] == '\n' ? 2 : 1;
    }
  }
  return true;
}

std::string_view trim_xml_space(std::string_view text) {
  while (!text.empty() && is_xml_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_xml_space(text.back())) text.remove_suffix(1);
  return text;
}

struct OpenElement {
  std::string_view qualified_name;  ///< as written, which the end tag must repeat
  std::string_view local_name;
  bool has_child_element = false;
};

using ElementPath = std::vector<OpenElement>;  ///< the open elements, root first

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
class ResponseFields {
 public:
  void on_open(const ElementPath& path) {
    if (path.size() == 1) root_ = path.front().local_name;
    if (path.size() == 3 && entry_kind(path) != EntryKind::kNone) entry_ = Entry();
  }

  /// `text`: the element's character data, or null when it has child
  /// elements (then it holds no value the collector could mean).
  void on_close(const ElementPath& path, const std::string* text) {
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

// A single forward pass over the document, without recursion: each step
// either moves past what it read or ends the pass, so the time is linear in
// the size of the body and the stack does not grow with nesting.
class XmlReader {
 public:
  XmlReader(std::string_view document, ResponseFields& fields)
      : document_(document), fields_(fields) {}

  /// True if the document is well-formed and every element event reached
  /// `fields`.
  bool read_document() {
    if (!utf8_has_only_xml_chars(document_)) return false;
    if (starts_with(kUtf8ByteOrderMark)) pos_ = kUtf8ByteOrderMark.size();
    declaration_pos_ = pos_;
    while (pos_ < document_.size()) {
      bool ok = document_[pos_] == '<' ? read_markup() : read_character_data();
      if (!ok) return false;
    }
    return stage_ == Stage::kAfterRoot;
  }

 private:
  enum class Stage { kBeforeRoot, kInRoot, kAfterRoot };

  bool starts_with(std::string_view token) const {
    return pos_ <= document_.size() && document_.substr(pos_, token.size()) == token;
  }

  bool at_end() const { return pos_ >= document_.size(); }

  /// True if at least one whitespace character was skipped.
  bool skip_spaces() {
    size_t start = pos_;
    while (!at_end() && is_xml_space(document_[pos_])) ++pos_;
    return pos_ != start;
  }

  std::string_view read_name() {
    size_t start = pos_;
    if (at_end() || !is_name_start_byte(document_[pos_])) return {};
    while (!at_end() && is_name_byte(document_[pos_])) ++pos_;
    return document_.substr(start, pos_ - start);
  }

  bool read_markup() {
    if (starts_with("<!--")) return read_comment();
    if (starts_with("<![CDATA[")) return stage_ == Stage::kInRoot && read_cdata();
    if (starts_with("<!DOCTYPE")) {
      return stage_ == Stage::kBeforeRoot && !doctype_seen_ && read_doctype();
    }
    if (starts_with("<?")) return read_processing_instruction();
    if (starts_with("</")) return stage_ == Stage::kInRoot && read_end_tag();
    return stage_ != Stage::kAfterRoot && read_start_tag();
  }

  bool read_character_data() {
    size_t end = std::min(document_.find('<', pos_), document_.size());
    std::string_view raw = document_.substr(pos_, end - pos_);
    pos_ = end;
    if (stage_ != Stage::kInRoot) {
      return std::all_of(raw.begin(), raw.end(), is_xml_space);
    }
    // Only a CDATA section may close with "]]>".
    return raw.find("]]>") == std::string_view::npos &&
           append_character_data(raw, /*decode_references=*/true, text_);
  }

  bool read_start_tag() {
    ++pos_;  // '<'
    std::string_view qualified_name = read_name();
    std::string_view local_name;
    if (qualified_name.empty() || !split_qualified_name(qualified_name, local_name)) return false;

    attribute_names_.clear();
    bool self_closing = false;
    for (;;) {
      bool spaced = skip_spaces();
      if (at_end()) return false;
      if (document_[pos_] == '>') {
        ++pos_;
        break;
      }
      if (starts_with("/>")) {
        pos_ += 2;
        self_closing = true;
        break;
      }
      if (!spaced || !read_attribute()) return false;
    }
    std::sort(attribute_names_.begin(), attribute_names_.end());
    if (std::adjacent_find(attribute_names_.begin(), attribute_names_.end()) !=
        attribute_names_.end()) {
      return false;
    }

    if (open_.size() >= kMaxDepth) return false;
    if (!open_.empty()) open_.back().has_child_element = true;
    open_.push_back({qualified_name, local_name, false});
    stage_ = Stage::kInRoot;
    text_.clear();
    fields_.on_open(open_);
    if (self_closing) close_element();
    return true;
  }

  // name = "value" or name = 'value'. Attributes, xmlns included, carry
  // nothing the collector means, but must still be well-formed.
  bool read_attribute() {
    std::string_view name = read_name();
    std::string_view local_name;
    if (name.empty() || !split_qualified_name(name, local_name)) return false;
    attribute_names_.push_back(name);
    skip_spaces();
    if (at_end() || document_[pos_] != '=') return false;
    ++pos_;
    skip_spaces();
    if (at_end() || (document_[pos_] != '"' && document_[pos_] != '\'')) return false;
    char quote = document_[pos_++];
    size_t close = document_.find(quote, pos_);
    if (close == std::string_view::npos) return false;
    std::string_view value = document_.substr(pos_, close - pos_);
    pos_ = close + 1;
    if (value.find('<') != std::string_view::npos) return false;
    for (size_t at = value.find('&'); at != std::string_view::npos; at = value.find('&', at)) {
      if (!decode_reference(value, at, nullptr)) return false;
    }
    return true;
  }

  bool read_end_tag() {
    pos_ += 2;  // "</"
    std::string_view name = read_name();
    skip_spaces();
    if (at_end() || document_[pos_] != '>' || name != open_.back().qualified_name) return false;
    ++pos_;
    close_element();
    return true;
  }

  void close_element() {
    fields_.on_close(open_, open_.back().has_child_element ? nullptr : &text_);
    open_.pop_back();
    text_.clear();
    if (open_.empty()) stage_ = Stage::kAfterRoot;
  }

  // "--" may appear in a comment only as part of its closing "-->".
  bool read_comment() {
    size_t dashes = document_.find("--", pos_ + std::strlen("<!--"));
    if (dashes == std::string_view::npos || dashes + 2 >= document_.size() ||
        document_[dashes + 2] != '>') {
      return false;
    }
    pos_ = dashes + std::strlen("-->");
    return true;
  }

  bool read_cdata() {
    size_t content = pos_ + std::strlen("<![CDATA[");
    size_t end = document_.find("]]>", content);
    if (end == std::string_view::npos) return false;
    pos_ = end + std::strlen("]]>");
    return append_character_data(document_.substr(content, end - content),
                                 /*decode_references=*/false, text_);
  }

  // The XML declaration is a processing instruction with the target "xml",
  // allowed only at the very start; other instructions are skipped anywhere.
  bool read_processing_instruction() {
    size_t start = pos_;
    pos_ += std::strlen("<?");
    std::string_view target = read_name();
    if (target.empty()) return false;
    bool reserved = target.size() == 3 && (target[0] | 0x20) == 'x' && (target[1] | 0x20) == 'm' &&
                    (target[2] | 0x20) == 'l';
    if (reserved && (target != "xml" || start != declaration_pos_)) return false;
    if (starts_with("?>")) {
      pos_ += 2;
      return true;
    }
    if (!skip_spaces()) return false;
    size_t end = document_.find("?>", pos_);
    if (end == std::string_view::npos) return false;
    pos_ = end + std::strlen("?>");
    return true;
  }

  // Skipped without reading anything from it: no entity declared in an
  // internal subset is expanded, so a reference to one is an unknown entity.
  bool read_doctype() {
    pos_ += std::strlen("<!DOCTYPE");
    if (!skip_spaces() || read_name().empty()) return false;
    while (!at_end()) {
      char c = document_[pos_];
      if (c == '>') {
        ++pos_;
        doctype_seen_ = true;
        return true;
      }
      if (c == '"' || c == '\'') {
        if (!skip_quoted()) return false;
      } else if (c == '[') {
        if (!skip_internal_subset()) return false;
      } else if (c == '<') {
        return false;
      } else {
        ++pos_;
      }
    }
    return false;
  }

  bool skip_quoted() {
    size_t close = document_.find(document_[pos_], pos_ + 1);
    if (close == std::string_view::npos) return false;
    pos_ = close + 1;
    return true;
  }

  // Quoted literals, comments and processing instructions may hold ']'.
  bool skip_internal_subset() {
    ++pos_;  // '['
    while (!at_end()) {
      char c = document_[pos_];
      bool ok = true;
      if (c == ']') {
        ++pos_;
        return true;
      } else if (c == '"' || c == '\'') {
        ok = skip_quoted();
      } else if (starts_with("<!--")) {
        ok = read_comment();
      } else if (starts_with("<?")) {
        ok = read_processing_instruction();
      } else {
        ++pos_;
      }
      if (!ok) return false;
    }
    return false;
  }

  std::string_view document_;
  ResponseFields& fields_;
  size_t pos_ = 0;
  size_t declaration_pos_ = 0;  ///< where an XML declaration may stand: after a byte order mark
  Stage stage_ = Stage::kBeforeRoot;
  bool doctype_seen_ = false;
  ElementPath open_;
  std::string text_;  ///< character data of the innermost open element so far
  std::vector<std::string_view> attribute_names_;  ///< of the start tag being read
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
  if (!XmlReader(body, fields).read_document()) return BatchResponse();
  return std::move(fields).finish();
}

}  // namespace tep
