// The numbers of the config init() takes, as config_options.def defines
// them: each with its default, its range and how a fraction rounds. One
// table, read by the core here and mirrored for the page in
// web/config-table.js, so both accept and refuse the same values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace tep {

/// Which way a fraction rounds to a whole number.
enum class Rounding { up, down };

/// One number of the config.
struct ConfigNumberOption {
  std::string_view field;  ///< its name in the config (TIDAL's)
  int64_t default_value;   ///< what a config that leaves it out gets
  int64_t minimum;         ///< the smallest whole number it takes
  Rounding rounding;       ///< which way a fraction rounds before the range is checked
};

/// 2^53, the largest every number takes: beyond it a double no longer holds
/// every whole number, and a time span that large (285,000 years) could
/// overflow when added to a time.
inline constexpr int64_t kLargestConfigNumber = int64_t{1} << 53;

/// The config's numbers, in the order of config_options.def.
enum class ConfigNumber : size_t {
#define TEP_CONFIG_NUMBER(field, default_value, minimum, rounding) field,
#include "config_options.def"
#undef TEP_CONFIG_NUMBER
};

/// Every number of the config, indexed by ConfigNumber.
inline constexpr ConfigNumberOption kConfigNumberOptions[] = {
#define TEP_CONFIG_NUMBER(field, default_value, minimum, rounding) \
  {#field, default_value, minimum, Rounding::rounding},
#include "config_options.def"
#undef TEP_CONFIG_NUMBER
};

/// The option of `number`.
constexpr const ConfigNumberOption& config_number_option(ConfigNumber number) {
  return kConfigNumberOptions[static_cast<size_t>(number)];
}

/// `value` rounded as `option` rounds, if it is a JSON number whose rounded
/// value is in the option's range; nullopt if it is refused (not a number,
/// or out of range), which leaves the option's default.
std::optional<int64_t> accepted_config_number(const ConfigNumberOption& option,
                                              const nlohmann::json& value);

}  // namespace tep
