#include "xml_chars.h"

#include "character_encoding.h"

namespace tep {

bool is_xml_char(uint32_t code_point) {
  return code_point == 0x9 || code_point == 0xA || code_point == 0xD ||
         (code_point >= 0x20 && code_point <= 0xD7FF) ||
         (code_point >= 0xE000 && code_point <= 0xFFFD) ||
         (code_point >= 0x10000 && code_point <= kMaxCodePoint);
}

bool utf8_has_only_xml_chars(std::string_view text) {
  size_t pos = 0;
  uint32_t cp = 0;
  while (pos < text.size()) {
    if (!read_utf8_code_point(text, pos, cp) || !is_xml_char(cp)) return false;
  }
  return true;
}

bool json_has_only_xml_chars(std::string_view json) {
  constexpr size_t kEscapeLength = 6;  // \uXXXX
  size_t pos = 0;
  uint32_t cp = 0;
  while (pos < json.size()) {
    if (json[pos] != '\\') {
      if (!read_utf8_code_point(json, pos, cp) || !is_xml_char(cp)) return false;
      continue;
    }
    // Outside strings a backslash is not valid JSON anyway; inside, it
    // escapes the character that follows.
    if (pos + 1 >= json.size()) return false;
    char escaped = json[pos + 1];
    if (escaped == 'b' || escaped == 'f') return false;  // U+0008 and U+000C are not XML Chars
    if (escaped != 'u') {
      pos += 2;
      continue;
    }
    auto unit = read_json_unicode_escape(json, pos);
    if (!unit) return false;
    pos += kEscapeLength;
    if (is_high_surrogate(*unit)) {
      auto low = read_json_unicode_escape(json, pos);
      if (!low || !is_low_surrogate(*low)) return false;  // a lone high surrogate
      pos += kEscapeLength;  // a pair: a character >= U+10000, always allowed
      continue;
    }
    if (!is_xml_char(*unit)) return false;  // a lone low surrogate is none either
  }
  return true;
}

}  // namespace tep
