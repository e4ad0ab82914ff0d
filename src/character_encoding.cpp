#include "character_encoding.h"

namespace tep {

bool read_utf8_code_point(std::string_view text, size_t& pos, uint32_t& code_point) {
  auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) {
    code_point = lead;
    ++pos;
    return true;
  }
  // The lead byte's high bits give the sequence's length; the smallest code
  // point of each length rules out overlong forms.
  size_t length = 0;
  uint32_t smallest = 0;
  uint32_t value = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1Fu, smallest = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0Fu, smallest = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07u, smallest = 0x10000;
  } else {
    return false;
  }
  if (length > text.size() - pos) return false;
  for (size_t i = 1; i < length; ++i) {
    auto continuation = static_cast<unsigned char>(text[pos + i]);
    if ((continuation & 0xC0) != 0x80) return false;
    value = (value << 6) | (continuation & 0x3Fu);
  }
  if (value < smallest || value > kMaxCodePoint || is_surrogate(value)) return false;
  code_point = value;
  pos += length;
  return true;
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

int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<uint32_t> read_json_unicode_escape(std::string_view json, size_t at) {
  constexpr size_t kEscapeLength = 6;  // backslash, 'u', four hex digits
  if (at >= json.size() || kEscapeLength > json.size() - at || json[at] != '\\' ||
      json[at + 1] != 'u') {
    return std::nullopt;
  }
  uint32_t unit = 0;
  for (size_t i = at + 2; i < at + kEscapeLength; ++i) {
    int digit = hex_digit_value(json[i]);
    if (digit < 0) return std::nullopt;
    unit = unit * 16 + static_cast<uint32_t>(digit);
  }
  return unit;
}

}  // namespace tep
