// The core's only ways of reading JSON text with nlohmann/json, neither of
// which throws: the shipped module has no exceptions, and the library is
// built with JSON_NOEXCEPTION (CMakeLists.txt), where a throwing call aborts.
// Both go through one instantiation of the library's parser, which keeps the
// wasm every visitor downloads ~2.4 KB (gzip) smaller than the library's own
// parse() beside sax_parse().
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace tep {

/// Reads `text` event by event into `handler`. False if `text` is not exactly
/// one JSON value (surrounding whitespace allowed) or the handler stopped.
/// The parser keeps its own stack, so deep nesting can't exhaust the call
/// stack; a handler that must refuse deep input counts the depth itself.
bool read_json_events(std::string_view text, nlohmann::json_sax<nlohmann::json>& handler);

/// The value `text` denotes (a member given twice has its last value), or a
/// discarded value (is_discarded()) if `text` is not exactly one JSON value.
nlohmann::json read_json_value(std::string_view text);

}  // namespace tep
