// How characters are written as bytes where the core reads or writes them:
// UTF-8, the UTF-16 units of JSON's \uXXXX escapes, and hexadecimal digits.
// Written once here for the XML checks, the XML reader, the JSON readers and
// writers, and the event ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tep {

/// The largest Unicode code point.
constexpr uint32_t kMaxCodePoint = 0x10FFFF;

constexpr bool is_high_surrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
constexpr bool is_low_surrogate(uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }
constexpr bool is_surrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDFFF; }

/// Decodes the UTF-8 sequence at `pos` into `code_point` and moves `pos`
/// past it; false (and `pos` unchanged) on malformed input: a stray
/// continuation byte, an overlong form, a surrogate encoded in UTF-8, a code
/// point beyond U+10FFFF or a truncated sequence. `pos` must be inside `text`.
bool read_utf8_code_point(std::string_view text, size_t& pos, uint32_t& code_point);

/// Appends the UTF-8 form of `code_point` (at most U+10FFFF) to `out`.
void append_utf8(uint32_t code_point, std::string& out);

/// The value of one hexadecimal digit (either case), or -1 if `c` is none.
int hex_digit_value(char c);

/// The digit for `nibble` (0-15): lower case as JSON.stringify and UUIDs
/// write them, upper case as URL percent-encoding does.
constexpr char lower_hex_digit(unsigned nibble) { return "0123456789abcdef"[nibble & 0xF]; }
constexpr char upper_hex_digit(unsigned nibble) { return "0123456789ABCDEF"[nibble & 0xF]; }

/// The UTF-16 unit of the JSON escape \uXXXX starting at `at` (the
/// backslash), or nullopt if no such escape starts there.
std::optional<uint32_t> read_json_unicode_escape(std::string_view json, size_t at);

}  // namespace tep
