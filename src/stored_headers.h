// An event's headers as the queue stores them: without the bearer token.
//
// The token is the value of the headers' top-level "authorization" member,
// when that is a JSON string: the credentials' token, or whatever the caller
// put there in its own headers. Its JSON string is cut out and kept in the
// TokenKeeper, leaving `,"authorization":` right before the next member or
// the closing brace; the stored record keeps where it was cut and the
// token's fingerprint. The member is never the first: client-id,
// consent-category and requested-sent-timestamp always come before it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "event.h"
#include "token_keeper.h"

namespace tep {

struct StoredHeaders {
  std::string text;                ///< the headers with the token's JSON string cut out
  uint32_t token_at = 0;           ///< where it was cut out of `text`; 0 = there was no token
  TokenFingerprint fingerprint{};  ///< of the token cut out
};

/// `headers` (a JSON object as the Submitter builds it) without its token,
/// which `tokens` keeps.
StoredHeaders strip_token(std::string_view headers, TokenKeeper& tokens);

/// True if `token_at` is where strip_token could have cut a token out of
/// `text`: right after `,"authorization":` and before the next member or the
/// closing brace. A stored record that says otherwise is damaged.
bool is_token_slot(std::string_view text, uint32_t token_at);

/// The headers to send for stored ones (`token_at` a token slot, or 0): with
/// the token back in its place if `tokens` keeps it, so they are the headers
/// as submitted; else without the authorization member, as for a user
/// logged out.
std::string headers_to_send(std::string_view text, uint32_t token_at,
                            const TokenFingerprint& fingerprint, const TokenKeeper& tokens);

/// The stored form of an event whose token was withheld (its headers are
/// the logged-out form headers_to_send gave): the token's slot and
/// fingerprint as they were stored, so the event is stored as it was.
StoredHeaders stored_form_of_withheld(const Event& event);

}  // namespace tep
