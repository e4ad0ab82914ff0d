#include "xml_chars.h"

namespace tep {
namespace {

// Decodes one UTF-8 sequence at `pos`; returns false on malformed input
// (overlong forms, surrogates encoded in UTF-8, truncated sequences).
bool next_code_point(std::string_view text, size_t& pos, uint32_t& cp) {
  unsigned char lead = static_cast<unsigned char>(text[pos]);
  size_t length;
  uint32_t min;
  if (lead < 0x80) {
    cp = lead;
    ++pos;
    return true;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return false;
  }
  if (pos + length > text.size()) return false;
  for (size_t i = 1; i < length; ++i) {
    unsigned char c = static_cast<unsigned char>(text[pos + i]);
    if ((c & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (c & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  pos += length;
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads the 4 hex digits after "\u" at `pos` (pointing at the 'u').
bool read_escape_unit(std::string_view json, size_t pos, uint32_t& unit) {
  if (pos + 4 >= json.size()) return false;
  unit = 0;
  for (size_t i = 1; i <= 4; ++i) {
    int d = hex_digit(json[pos + i]);
    if (d < 0) return false;
    unit = unit * 16 + static_cast<uint32_t>(d);
  }
  return true;
}

}  // namespace

bool is_xml_char(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

bool utf8_has_only_xml_chars(std::string_view text) {
  size_t pos = 0;
  uint32_t cp;
  while (pos < text.size()) {
    if (!next_code_point(text, pos, cp) || !is_xml_char(cp)) return false;
  }
  return true;
}

bool json_has_only_xml_chars(std::string_view json) {
  size_t pos = 0;
  uint32_t cp;
  while (pos < json.size()) {
    if (json[pos] != '\\') {
      if (!next_code_point(json, pos, cp) || !is_xml_char(cp)) return false;
      continue;
    }
    // Outside strings a backslash is not valid JSON anyway; inside, it
    // escapes the character that follows.
    if (pos + 1 >= json.size()) return false;
    char e = json[pos + 1];
    if (e == 'b' || e == 'f') return false;  // U+0008 and U+000C are not XML Chars
    if (e != 'u') {
      pos += 2;
      continue;
    }
    uint32_t unit;
    if (!read_escape_unit(json, pos + 1, unit)) return false;
    pos += 6;
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      uint32_t low;
      if (pos + 1 < json.size() && json[pos] == '\\' && json[pos + 1] == 'u' &&
          read_escape_unit(json, pos + 1, low) && low >= 0xDC00 && low <= 0xDFFF) {
        pos += 6;  // a surrogate pair: a character >= U+10000, always allowed
        continue;
      }
      return false;  // lone high surrogate
    }
    if (unit >= 0xDC00 && unit <= 0xDFFF) return false;  // lone low surrogate
    if (!is_xml_char(unit)) return false;
  }
  return true;
}

}  // namespace tep
