#include "record_checksum.h"

#include <catch2/catch.hpp>
#include <string>

namespace {

// The textbook bit-at-a-time CRC-32, the reference the fast one must match.
uint32_t crc32_bitwise(std::string_view bytes) {
  uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

}  // namespace

TEST_CASE("The checksum is zlib's CRC-32") {
  CHECK(tep::crc32("") == 0u);
  CHECK(tep::crc32("123456789") == 0xCBF43926u);
  CHECK(tep::crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
}

TEST_CASE("Every length and starting offset gives the bitwise result") {
  std::string bytes;
  uint32_t seed = 12345;
  for (int i = 0; i < 300; ++i) {
    seed = seed * 1103515245u + 12345u;
    bytes += static_cast<char>(seed >> 24);
  }
  for (size_t start = 0; start < 9; ++start) {
    for (size_t length = 0; start + length <= bytes.size(); length += 7) {
      std::string_view slice(bytes.data() + start, length);
      REQUIRE(tep::crc32(slice) == crc32_bitwise(slice));
    }
  }
}

TEST_CASE("A single flipped bit changes the checksum") {
  std::string record(100, 'x');
  uint32_t original = tep::crc32(record);
  for (size_t i = 0; i < record.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = record;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      REQUIRE(tep::crc32(damaged) != original);
    }
  }
}
