#include "config_options.h"

#include <cmath>

namespace tep {

std::optional<int64_t> accepted_config_number(const ConfigNumberOption& option,
                                              const nlohmann::json& value) {
  if (!value.is_number()) return std::nullopt;
  double given = value.get<double>();
  double rounded = option.rounding == Rounding::up ? std::ceil(given) : std::floor(given);
  // Compared as doubles: a NaN fails both, and a value beyond int64_t is
  // refused before it is converted.
  if (!(rounded >= static_cast<double>(option.minimum) &&
        rounded <= static_cast<double>(kLargestConfigNumber))) {
    return std::nullopt;
  }
  return static_cast<int64_t>(rounded);
}

}  // namespace tep
