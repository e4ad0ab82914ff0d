#include "json_text.h"

#include <cstdint>

namespace tep {
namespace {

// Deeper nesting than this in one event is refused rather than recursed into.
constexpr int kMaxNesting = 128;

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  void skip_whitespace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  size_t pos() const { return pos_; }
  std::string_view slice(size_t from) const { return text_.substr(from, pos_ - from); }

  bool skip_string() {
    if (!consume('"')) return false;
    while (!at_end()) {
      unsigned char c = static_cast<unsigned char>(text_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (at_end()) return false;
        char e = text_[pos_++];
        if (e == 'u') {
          for (int i = 0; i < 4; ++i) {
            if (at_end() || !is_hex(text_[pos_])) return false;
            ++pos_;
          }
        } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                   e != 'r' && e != 't') {
          return false;
        }
      }
    }
    return false;
  }

  bool skip_number() {
    size_t start = pos_;
    consume('-');
    if (consume('0')) {
    } else if (!skip_digits()) {
      return false;
    }
    if (consume('.') && !skip_digits()) return false;
    if (peek() == 'e' || peek() == 'E') {
      ++pos_;
      if (peek() == '+' || peek() == '-') ++pos_;
      if (!skip_digits()) return false;
    }
    return pos_ > start;
  }

  bool skip_literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool skip_value(int depth) {
    if (depth > kMaxNesting) return false;
    skip_whitespace();
    switch (peek()) {
      case '"':
        return skip_string();
      case '{':
        return skip_container('{', '}', depth, true);
      case '[':
        return skip_container('[', ']', depth, false);
      case 't':
        return skip_literal("true");
      case 'f':
        return skip_literal("false");
      case 'n':
        return skip_literal("null");
      default:
        return skip_number();
    }
  }

 private:
  static bool is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  bool skip_digits() {
    size_t start = pos_;
    while (peek() >= '0' && peek() <= '9') ++pos_;
    return pos_ > start;
  }
  bool skip_container(char open, char close, int depth, bool is_object) {
    consume(open);
    skip_whitespace();
    if (consume(close)) return true;
    while (true) {
      skip_whitespace();
      if (is_object) {
        if (!skip_string()) return false;
        skip_whitespace();
        if (!consume(':')) return false;
      }
      if (!skip_value(depth + 1)) return false;
      skip_whitespace();
      if (consume(close)) return true;
      if (!consume(',')) return false;
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
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

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_string(out, text);
  return out;
}

std::optional<std::vector<JsonMember>> scan_json_object(std::string_view text) {
  Scanner scanner(text);
  scanner.skip_whitespace();
  if (!scanner.consume('{')) return std::nullopt;
  std::vector<JsonMember> members;
  scanner.skip_whitespace();
  if (!scanner.consume('}')) {
    while (true) {
      scanner.skip_whitespace();
      size_t key_start = scanner.pos();
      if (!scanner.skip_string()) return std::nullopt;
      auto key = decode_json_string(scanner.slice(key_start));
      if (!key) return std::nullopt;
      scanner.skip_whitespace();
      if (!scanner.consume(':')) return std::nullopt;
      scanner.skip_whitespace();
      size_t value_start = scanner.pos();
      if (!scanner.skip_value(1)) return std::nullopt;
      members.push_back({std::move(*key), scanner.slice(value_start)});
      scanner.skip_whitespace();
      if (scanner.consume('}')) break;
      if (!scanner.consume(',')) return std::nullopt;
    }
  }
  scanner.skip_whitespace();
  if (!scanner.at_end()) return std::nullopt;
  return members;
}

std::optional<std::string> decode_json_string(std::string_view raw) {
  Scanner scanner(raw);
  if (!scanner.skip_string() || !scanner.at_end()) return std::nullopt;
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'u': {
        auto read4 = [&](size_t at) {
          uint32_t v = 0;
          for (size_t k = 0; k < 4; ++k) v = v * 16 + hex_value(raw[at + k]);
          return v;
        };
        uint32_t cp = read4(i + 1);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate must be followed by an escaped low surrogate.
          if (i + 6 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') {
            uint32_t low = read4(i + 3);
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              i += 6;
              append_utf8(out, cp);
              break;
            }
          }
          return std::nullopt;
        }
        if (cp >= 0xDC00 && cp <= 0xDFFF) return std::nullopt;
        append_utf8(out, cp);
        break;
      }
      default:
        out += e;  // \" \\ \/
    }
  }
  return out;
}

bool is_array_index_key(std::string_view key) {
  if (key.empty() || key.size() > 10) return false;
  if (key.size() > 1 && key[0] == '0') return false;
  uint64_t value = 0;
  for (char c : key) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  // 2^32 - 1 is not an array index in JavaScript.
  return value < 4294967295ull;
}

}  // namespace tep
