#include "send_message_batch.h"

#include <cstdint>

namespace tep {
namespace {

// --- encoder ---------------------------------------------------------------

// application/x-www-form-urlencoded as URLSearchParams serialises it.
void append_form_encoded(std::string& out, std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*' ||
        c == '-' || c == '.' || c == '_') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
}

void append_field(std::string& out, const std::string& prefix, std::string_view suffix,
                  std::string_view value) {
  if (!out.empty()) out += '&';
  out += prefix;  // only [A-Za-z0-9.] : needs no encoding
  out += suffix;
  out += '=';
  append_form_encoded(out, value);
}

// --- decoder -----------------------------------------------------------------

// Deeper documents than this are not collector responses; refusing them keeps
// the element stack small whatever the input.
constexpr size_t kMaxDepth = 64;

bool is_name_char(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':' || u >= 0x80;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view local_name(std::string_view name) {
  size_t colon = name.rfind(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_xml_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// Decodes character data with entity references; false on a bad reference.
bool decode_text(std::string_view raw, std::string& out) {
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    size_t end = raw.find(';', i);
    if (end == std::string_view::npos || end - i > 12) return false;
    std::string_view ref = raw.substr(i + 1, end - i - 1);
    if (ref == "lt") {
      out += '<';
    } else if (ref == "gt") {
      out += '>';
    } else if (ref == "amp") {
      out += '&';
    } else if (ref == "quot") {
      out += '"';
    } else if (ref == "apos") {
      out += '\'';
    } else if (ref.size() >= 2 && ref[0] == '#') {
      bool hex = ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty() || digits.size() > 8) return false;
      uint32_t cp = 0;
      for (char c : digits) {
        int d;
        if (c >= '0' && c <= '9') {
          d = c - '0';
        } else if (hex && c >= 'a' && c <= 'f') {
          d = c - 'a' + 10;
        } else if (hex && c >= 'A' && c <= 'F') {
          d = c - 'A' + 10;
        } else {
          return false;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      }
      if (!is_xml_char(cp)) return false;
      append_utf8(out, cp);
    } else {
      return false;
    }
    i = end;
  }
  return true;
}

std::string trimmed(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// What the response holds, filled in as elements close.
class ResponseBuilder {
 public:
  // `path` holds the local names of the open elements, root first.
  void on_close(const std::vector<std::string_view>& path, const std::string& text) {
    size_t depth = path.size();
    std::string_view name = path.back();
    if (path.front() == "SendMessageBatchResponse") {
      if (depth == 4 && path[1] == "SendMessageBatchResult" && path[2] == "SendMessageBatchResultEntry" &&
          name == "Id") {
        entry_id_ = trimmed(text);
      } else if (depth == 3 && path[1] == "SendMessageBatchResult" &&
                 name == "SendMessageBatchResultEntry") {
        if (!entry_id_.empty()) response.accepted.push_back(entry_id_);
        entry_id_.clear();
      } else if (depth == 4 && path[1] == "SendMessageBatchResult" && path[2] == "BatchResultErrorEntry") {
        std::string value = trimmed(text);
        if (name == "Id") error_.id = value;
        if (name == "SenderFault") error_.sender_fault = value == "true";
        if (name == "Code") error_.code = value;
        if (name == "Message") error_.message = value;
      } else if (depth == 3 && path[1] == "SendMessageBatchResult" && name == "BatchResultErrorEntry") {
        if (!error_.id.empty()) response.rejected.push_back(error_);
        error_ = BatchEntryError();
      }
    } else if (path.front() == "ErrorResponse" && depth == 3 && path[1] == "Error") {
      std::string value = trimmed(text);
      if (name == "Type") response.error_type = value;
      if (name == "Code") response.error_code = value;
      if (name == "Message") response.error_message = value;
    }
  }

  BatchResponse response;

 private:
  std::string entry_id_;
  BatchEntryError error_;
};

}  // namespace

std::string encode_send_message_batch(const std::vector<Event>& events) {
  size_t estimate = 0;
  for (const auto& e : events) estimate += 400 + e.headers.size() * 2 + e.payload.size() * 2;
  std::string out;
  out.reserve(estimate);
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    std::string prefix = "SendMessageBatchRequestEntry." + std::to_string(i + 1);
    append_field(out, prefix, ".Id", e.id);
    append_field(out, prefix, ".MessageBody", e.payload);
    append_field(out, prefix, ".MessageAttribute.1.Name", "Name");
    append_field(out, prefix, ".MessageAttribute.1.Value.StringValue", e.name);
    append_field(out, prefix, ".MessageAttribute.1.Value.DataType", "String");
    append_field(out, prefix, ".MessageAttribute.2.Name", "Headers");
    append_field(out, prefix, ".MessageAttribute.2.Value.DataType", "String");
    append_field(out, prefix, ".MessageAttribute.2.Value.StringValue", e.headers);
  }
  return out;
}

BatchResponse decode_batch_response(std::string_view body) {
  BatchResponse unrecognised;
  ResponseBuilder builder;
  std::vector<std::string_view> open;  // local names of open elements
  std::vector<std::string_view> open_qualified;
  std::string text;  // character data of the innermost element
  bool root_seen = false;
  std::string_view root;
  size_t i = 0;
  const size_t n = body.size();
  // A UTF-8 byte order mark may precede the document.
  if (body.substr(0, 3) == "\xEF\xBB\xBF") i = 3;

  while (i < n) {
    if (body[i] != '<') {
      size_t next = body.find('<', i);
      if (next == std::string_view::npos) next = n;
      std::string_view raw = body.substr(i, next - i);
      if (open.empty()) {
        for (char c : raw) {
          if (!is_space(c)) return unrecognised;  // text outside the root
        }
      } else if (!decode_text(raw, text)) {
        return unrecognised;
      }
      i = next;
      continue;
    }
    std::string_view rest = body.substr(i);
    if (rest.substr(0, 4) == "<!--") {
      size_t end = body.find("-->", i + 4);
      if (end == std::string_view::npos) return unrecognised;
      i = end + 3;
    } else if (rest.substr(0, 9) == "<![CDATA[") {
      if (open.empty()) return unrecognised;
      size_t end = body.find("]]>", i + 9);
      if (end == std::string_view::npos) return unrecognised;
      text.append(body.substr(i + 9, end - i - 9));
      i = end + 3;
    } else if (rest.substr(0, 2) == "<?") {
      size_t end = body.find("?>", i + 2);
      if (end == std::string_view::npos) return unrecognised;
      i = end + 2;
    } else if (rest.substr(0, 2) == "<!") {
      // DOCTYPE: skipped without expanding anything; an internal subset is refused.
      if (root_seen || !open.empty()) return unrecognised;
      size_t end = body.find('>', i);
      if (end == std::string_view::npos) return unrecognised;
      if (body.substr(i, end - i).find('[') != std::string_view::npos) return unrecognised;
      i = end + 1;
    } else if (rest.substr(0, 2) == "</") {
      size_t start = i + 2, j = start;
      while (j < n && is_name_char(body[j])) ++j;
      std::string_view name = body.substr(start, j - start);
      while (j < n && is_space(body[j])) ++j;
      if (j >= n || body[j] != '>' || open.empty() || open_qualified.back() != name) {
        return unrecognised;
      }
      builder.on_close(open, text);
      text.clear();
      open.pop_back();
      open_qualified.pop_back();
      i = j + 1;
    } else {
      size_t start = i + 1, j = start;
      while (j < n && is_name_char(body[j])) ++j;
      std::string_view name = body.substr(start, j - start);
      if (name.empty()) return unrecognised;
      // Attributes: name="value" or name='value', skipped.
      bool self_closing = false;
      for (;;) {
        while (j < n && is_space(body[j])) ++j;
        if (j >= n) return unrecognised;
        if (body[j] == '>') {
          ++j;
          break;
        }
        if (body[j] == '/' && j + 1 < n && body[j + 1] == '>') {
          self_closing = true;
          j += 2;
          break;
        }
        size_t attr = j;
        while (j < n && is_name_char(body[j])) ++j;
        if (j == attr) return unrecognised;
        while (j < n && is_space(body[j])) ++j;
        if (j >= n || body[j] != '=') return unrecognised;
        ++j;
        while (j < n && is_space(body[j])) ++j;
        if (j >= n || (body[j] != '"' && body[j] != '\'')) return unrecognised;
        char quote = body[j++];
        size_t close = body.find(quote, j);
        if (close == std::string_view::npos) return unrecognised;
        std::string_view value = body.substr(j, close - j);
        if (value.find('<') != std::string_view::npos) return unrecognised;
        std::string ignored;
        if (!decode_text(value, ignored)) return unrecognised;
        j = close + 1;
      }
      if (open.empty()) {
        if (root_seen) return unrecognised;  // a second root
        root_seen = true;
        root = local_name(name);
      }
      if (open.size() >= kMaxDepth) return unrecognised;
      text.clear();
      open.push_back(local_name(name));
      open_qualified.push_back(name);
      if (self_closing) {
        builder.on_close(open, text);
        open.pop_back();
        open_qualified.pop_back();
      }
      i = j;
    }
  }
  if (!root_seen || !open.empty()) return unrecognised;
  BatchResponse response = std::move(builder.response);
  if (root == "SendMessageBatchResponse") {
    response.kind = BatchResponse::Kind::kBatchResult;
  } else if (root == "ErrorResponse") {
    response.kind = BatchResponse::Kind::kErrorResponse;
  } else {
    return unrecognised;
  }
  return response;
}

}  // namespace tep
