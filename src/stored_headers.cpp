#include "stored_headers.h"

namespace tep {
namespace {

// What stays in front of a token cut out: the member's key, after the
// comma that ends the member before it.
constexpr std::string_view kAuthorizationKey = ",\"authorization\":";

// Where the JSON string of the top-level authorization member starts (its
// opening quote), or npos. Keys and strings are skipped as wholes, so a
// value or a nested object that holds the same bytes is never taken for it.
size_t find_token(std::string_view headers) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < headers.size(); ++i) {
    char c = headers[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1 &&
               headers.compare(i, kAuthorizationKey.size(), kAuthorizationKey) == 0) {
      // Keys are unique: if this one's value is no string, there is no token.
      size_t value = i + kAuthorizationKey.size();
      return value < headers.size() && headers[value] == '"' ? value : std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// Where the JSON string starting at `open` ends (past its closing quote), or npos.
size_t end_of_string(std::string_view text, size_t open) {
  for (size_t i = open + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

}  // namespace

StoredHeaders strip_token(std::string_view headers, TokenKeeper& tokens) {
  StoredHeaders stored;
  size_t start = find_token(headers);
  size_t end = start == std::string_view::npos ? start : end_of_string(headers, start);
  if (end == std::string_view::npos) {
    stored.text.assign(headers);
    return stored;
  }
  stored.fingerprint = tokens.keep_json(headers.substr(start, end - start));
  stored.token_at = static_cast<uint32_t>(start);
  stored.text.reserve(headers.size() - (end - start));
  stored.text.append(headers.substr(0, start));
  stored.text.append(headers.substr(end));
  return stored;
}

bool is_token_slot(std::string_view text, uint32_t token_at) {
  if (token_at < kAuthorizationKey.size() || token_at >= text.size()) return false;
  return text.compare(token_at - kAuthorizationKey.size(), kAuthorizationKey.size(),
                      kAuthorizationKey) == 0 &&
         (text[token_at] == ',' || text[token_at] == '}');
}

std::string headers_to_send(std::string_view text, uint32_t token_at,
                            const TokenFingerprint& fingerprint, const TokenKeeper& tokens) {
  if (token_at == 0) return std::string(text);
  std::string headers;
  const std::string* token = tokens.find(fingerprint);
  if (token) {
    headers.reserve(text.size() + token->size());
    headers.append(text.substr(0, token_at));
    headers.append(*token);
  } else {
    // The logged-out form: the member goes, key and all.
    headers.reserve(text.size());
    headers.append(text.substr(0, token_at - kAuthorizationKey.size()));
  }
  headers.append(text.substr(token_at));
  return headers;
}

StoredHeaders stored_form_of_withheld(const Event& event) {
  StoredHeaders stored;
  size_t key_at = event.withheld_token_at - kAuthorizationKey.size();
  // headers_to_send cut the key out right before where the token stood.
  stored.text.reserve(event.headers.size() + kAuthorizationKey.size());
  stored.text.append(event.headers, 0, key_at);
  stored.text.append(kAuthorizationKey);
  stored.text.append(event.headers, key_at, std::string::npos);
  stored.token_at = event.withheld_token_at;
  stored.fingerprint = event.withheld_token_fingerprint;
  return stored;
}

}  // namespace tep
