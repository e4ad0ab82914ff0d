// The bearer tokens the worker has seen, kept in its memory and nowhere
// else, so the queue can store events without their token and still send
// them as they were submitted.
//
// A stored event keeps, in place of its token, where the token stood in its
// headers and a fingerprint of it (stored_headers.h). When a batch is built,
// an event whose fingerprint is kept here gets its token back, so its
// headers are byte for byte those it was submitted with, as
// @tidal-music/event-producer would send them. An event whose fingerprint
// is not kept here goes in the logged-out form, without its authorization
// member, to the public endpoint without Authorization, never under the
// token of the moment (credentials_group.h): that is what becomes of events restored after a reload
// when the credentials provider no longer returns their token, and of events adopted from another
// tab whose token this worker never saw. The collector still gets the event and its client-id; once
// a token is out of the worker's memory, nothing on disk can bring it back.
//
// Tokens are kept from the credentials (at init, before the restored events
// are first sent, so a token the provider still returns after a reload is
// known again in time; with each hand-over of events from the page; before
// each request) and from every event the queue stores (whether the token
// came from the credentials or from the caller's own headers, and also for
// events of an earlier release's store or of an adopted one, which are read
// with their token).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event.h"

namespace tep {

/// The first 16 bytes of the SHA-256 of a token's JSON string: 128 bits
/// make two tokens' fingerprints collide by chance practically never (an
/// event must not go out with another user's token), and a hash can't be
/// turned back into the token it was made from.
using TokenFingerprint = decltype(Event::withheld_token_fingerprint);

/// The fingerprint of `token_json`, a token as a JSON string, quotes
/// included, as it stands in an event's headers.
TokenFingerprint fingerprint_of(std::string_view token_json);

class TokenKeeper {
 public:
  /// Keeps a token given as a JSON string (quotes included) as it stands in
  /// an event's headers; returns its fingerprint.
  TokenFingerprint keep_json(std::string_view token_json);
  /// Keeps a token as the credentials provider gave it.
  TokenFingerprint keep(std::string_view token);
  /// The kept token with this fingerprint, as a JSON string, or nullptr.
  const std::string* find(const TokenFingerprint& fingerprint) const;
  size_t size() const { return tokens_.size(); }

  /// Tokens kept at most; past it the one kept least recently is forgotten
  /// (its events, if some are still queued, then go in the logged-out
  /// form, as after a reload). An access token is replaced every few
  /// minutes at the most, so a tab meets a few dozen a day: 256 outlast any
  /// event a queue still holds, and bound the memory to 256 tokens (~0.5 MB
  /// of 2 KB JWTs) even for an app that puts a different authorization
  /// header on each event. A list searched from end to end is fast enough
  /// for so few (usually one or two), and adds less to the wasm than a map.
  static constexpr size_t kMaxTokens = 256;

 private:
  struct Kept {
    TokenFingerprint fingerprint;
    std::string token_json;
    uint64_t kept_at;  ///< when it was last kept, in keep_json() calls
  };
  std::vector<Kept> tokens_;
  uint64_t keeps_ = 0;
};

}  // namespace tep
