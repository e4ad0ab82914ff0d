#include "token_keeper.h"

#include <algorithm>

#include "sha256.h"
#include "stringify_writer.h"

namespace tep {

TokenFingerprint fingerprint_of(std::string_view token_json) {
  Sha256Digest digest = sha256(token_json);
  TokenFingerprint fingerprint;
  std::copy_n(digest.begin(), fingerprint.size(), fingerprint.begin());
  return fingerprint;
}

TokenFingerprint TokenKeeper::keep_json(std::string_view token_json) {
  TokenFingerprint fingerprint = fingerprint_of(token_json);
  for (Kept& kept : tokens_) {
    if (kept.fingerprint != fingerprint) continue;
    kept.kept_at = ++keeps_;
    return fingerprint;
  }
  Kept fresh{fingerprint, std::string(token_json), ++keeps_};
  if (tokens_.size() < kMaxTokens) {
    tokens_.push_back(std::move(fresh));
  } else {
    auto oldest =
        std::min_element(tokens_.begin(), tokens_.end(),
                         [](const Kept& a, const Kept& b) { return a.kept_at < b.kept_at; });
    *oldest = std::move(fresh);
  }
  return fingerprint;
}

TokenFingerprint TokenKeeper::keep(std::string_view token) {
  // Headers hold every string as JSON.stringify writes it, tokens too.
  return keep_json(stringify_string(token));
}

const std::string* TokenKeeper::find(const TokenFingerprint& fingerprint) const {
  for (const Kept& kept : tokens_) {
    if (kept.fingerprint == fingerprint) return &kept.token_json;
  }
  return nullptr;
}

}  // namespace tep
