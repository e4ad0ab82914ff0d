#include "token_keeper.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "sha256.h"

using tep::TokenKeeper;

TEST_CASE("A kept token is found by its fingerprint, and one never kept is not") {
  TokenKeeper tokens;
  auto fingerprint = tokens.keep_json(R"("token-a")");
  REQUIRE(tokens.find(fingerprint) != nullptr);
  CHECK(*tokens.find(fingerprint) == R"("token-a")");
  CHECK(tokens.find(tep::fingerprint_of(R"("token-b")")) == nullptr);
}

TEST_CASE("A token from the credentials is found as it stands in an event's headers") {
  TokenKeeper tokens;
  tokens.keep("quote\" and backslash\\");
  const std::string as_in_headers = R"("quote\" and backslash\\")";
  REQUIRE(tokens.find(tep::fingerprint_of(as_in_headers)) != nullptr);
  CHECK(*tokens.find(tep::fingerprint_of(as_in_headers)) == as_in_headers);
}

TEST_CASE("The fingerprint is the first 16 bytes of the SHA-256 of the token's JSON string") {
  auto digest = tep::sha256(R"("token-a")");
  auto fingerprint = tep::fingerprint_of(R"("token-a")");
  CHECK(std::equal(fingerprint.begin(), fingerprint.end(), digest.begin()));
}

TEST_CASE("Keeping a token twice keeps it once") {
  TokenKeeper tokens;
  tokens.keep("same");
  tokens.keep("same");
  CHECK(tokens.size() == 1);
}

TEST_CASE("Past the cap, the token kept least recently is forgotten") {
  TokenKeeper tokens;
  for (size_t i = 0; i < TokenKeeper::kMaxTokens; ++i) tokens.keep("token-" + std::to_string(i));
  tokens.keep("token-0");  // the provider still returns it: kept again, so recent
  tokens.keep("one-more");
  CHECK(tokens.size() == TokenKeeper::kMaxTokens);
  CHECK(tokens.find(tep::fingerprint_of(R"("token-0")")) != nullptr);
  CHECK(tokens.find(tep::fingerprint_of(R"("token-1")")) == nullptr);
  CHECK(tokens.find(tep::fingerprint_of(R"("token-2")")) != nullptr);
  CHECK(tokens.find(tep::fingerprint_of(R"("one-more")")) != nullptr);
}
