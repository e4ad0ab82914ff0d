// CRC-32 (IEEE 802.3, as zlib computes it): detects torn and corrupted
// records in the queue's files.
#pragma once

#include <cstdint>
#include <string_view>

namespace tep {

uint32_t crc32(std::string_view bytes);

}  // namespace tep
