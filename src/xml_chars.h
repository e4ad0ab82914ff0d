// The XML 1.0 `Char` production (W3C REC-xml #charsets), which the spec
// requires of every character of an event: the collector forwards events
// through an XML-based queue that can't carry anything else.
#pragma once

#include <cstdint>
#include <string_view>

namespace tep {

/// #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
bool is_xml_char(uint32_t code_point);

/// True if `text` is valid UTF-8 whose every character is an XML Char.
bool utf8_has_only_xml_chars(std::string_view text);

/// True if the JSON text `json` is valid UTF-8 and every character it
/// denotes is an XML Char, counting the characters that string escapes stand
/// for (\u0001, \b, \f and lone surrogates such as \ud800 are refused).
bool json_has_only_xml_chars(std::string_view json);

}  // namespace tep
