// The stable error ids (error_ids.def, where each is defined and explained)
// as constants, and how a message with an id reads.
#pragma once

#include <string>
#include <string_view>

namespace tep::error_ids {

#define TEP_ERROR_ID(name, id, meaning) inline constexpr std::string_view k##name = id;
#include "error_ids.def"
#undef TEP_ERROR_ID

}  // namespace tep::error_ids

namespace tep {

/// "[id] explanation": how every message with an id reads.
inline std::string error_text(std::string_view id, std::string_view explanation) {
  std::string text;
  text.reserve(id.size() + explanation.size() + 3);
  text.append("[").append(id).append("] ").append(explanation);
  return text;
}

}  // namespace tep
