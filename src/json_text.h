// Just enough JSON for the core, without a JSON library in the wasm (nlohmann/json
// would add ~33 KB gz): string quoting as JSON.stringify does it, and a scanner
// that splits an object into its members while keeping every value's raw text,
// so caller payloads pass through byte for byte (numbers keep their JS form).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tep {

/// Appends `text` (valid UTF-8) to `out` as a JSON string literal, escaped
/// exactly as JSON.stringify escapes it (\" \\ \b \f \n \r \t, other controls
/// as \u00xx with lower-case hex, everything else verbatim).
void append_json_string(std::string& out, std::string_view text);
std::string json_string(std::string_view text);

/// One member of a JSON object, as it appears in the text.
struct JsonMember {
  std::string key;             ///< decoded key
  std::string_view raw_value;  ///< the value's exact text (a view into the input)
};

/// The members of the JSON object `text`, in order; nullopt unless `text` is
/// one well-formed JSON object (surrounding whitespace allowed). Nesting is
/// limited so hostile input can't exhaust the stack.
std::optional<std::vector<JsonMember>> scan_json_object(std::string_view text);

/// The decoded content of a raw JSON string literal (with its quotes);
/// nullopt if `raw` is not a string literal or holds a lone surrogate escape.
std::optional<std::string> decode_json_string(std::string_view raw);

/// True for keys that JavaScript orders first in objects (canonical array
/// indices "0".."4294967294"), which JSON.stringify therefore emits first.
bool is_array_index_key(std::string_view key);

}  // namespace tep
