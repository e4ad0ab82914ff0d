// SHA-256 (FIPS 180-2, unchanged in 180-4): the fingerprint the queue
// stores in place of a bearer token (token_keeper.h). Written here because
// nothing the wasm build links provides one, and the browser's
// crypto.subtle is asynchronous and out of the core's reach.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace tep {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view bytes);

}  // namespace tep
