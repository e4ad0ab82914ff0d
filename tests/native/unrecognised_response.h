// What an answer of the collector that is not understood must come to: no
// event confirmed or rejected, and no error reported, since nothing in it can
// be trusted.
#pragma once

#include <catch2/catch.hpp>

#include "send_message_batch.h"

namespace tep {

inline void require_unrecognised(const BatchResponse& response) {
  CHECK(response.kind == BatchResponse::Kind::kUnrecognised);
  CHECK(response.accepted.empty());
  CHECK(response.rejected.empty());
  CHECK(response.error_type.empty());
  CHECK(response.error_code.empty());
  CHECK(response.error_message.empty());
}

}  // namespace tep
