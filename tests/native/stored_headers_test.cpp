#include "stored_headers.h"

#include <catch2/catch.hpp>
#include <string>

#include "default_headers.h"

using tep::StoredHeaders;
using tep::TokenKeeper;

namespace {

const std::string kToken = "eyJ0eXAiOiJKV1QifQ.eyJ1aWQiOjQyfQ.c2ln+/=";

tep::ClientInfo client() {
  tep::ClientInfo c;
  c.app_name = "app";
  c.os_name = "linux";
  return c;
}

// The headers the Submitter builds, logged in with `token` or logged out.
std::string headers(const std::optional<std::string>& token, std::string_view caller = {}) {
  return *tep::build_headers(client(), {std::string("client"), token}, true, "NECESSARY", 1000,
                             caller);
}

}  // namespace

TEST_CASE("The token is cut out of the stored headers and put back byte for byte") {
  TokenKeeper tokens;
  const std::string submitted = headers(kToken);
  StoredHeaders stored = tep::strip_token(submitted, tokens);
  CHECK(stored.text.find(kToken) == std::string::npos);
  CHECK(stored.text == R"({"app-name":"app","client-id":"client","consent-category":"NECESSARY",)"
                       R"("os-name":"linux","requested-sent-timestamp":1000,"authorization":})");
  CHECK(stored.token_at == stored.text.size() - 1);
  CHECK(tep::is_token_slot(stored.text, stored.token_at));
  CHECK(stored.fingerprint == tep::fingerprint_of("\"" + kToken + "\""));
  CHECK(tep::headers_to_send(stored.text, stored.token_at, stored.fingerprint, tokens) ==
        submitted);
}

TEST_CASE("Without the token kept, the headers sent are those of a user logged out") {
  TokenKeeper submitting;
  StoredHeaders stored = tep::strip_token(headers(kToken), submitting);
  TokenKeeper after_reload;
  after_reload.keep("some-other-token");
  CHECK(tep::headers_to_send(stored.text, stored.token_at, stored.fingerprint, after_reload) ==
        headers(std::nullopt));
}

TEST_CASE("A caller's own authorization header is a token too, wherever it stands") {
  const std::string caller = R"({"x-trace":"t","authorization":"caller-token","x-after":"a"})";
  for (const auto& token : {std::optional<std::string>(kToken), std::optional<std::string>()}) {
    const std::string submitted = headers(token, caller);
    TokenKeeper tokens;
    StoredHeaders stored = tep::strip_token(submitted, tokens);
    CHECK(stored.text.find("caller-token") == std::string::npos);
    CHECK(tep::headers_to_send(stored.text, stored.token_at, stored.fingerprint, tokens) ==
          submitted);
    CHECK(tep::headers_to_send(stored.text, stored.token_at, stored.fingerprint, TokenKeeper()) ==
          headers(std::nullopt, R"({"x-trace":"t","x-after":"a"})"));
  }
}

TEST_CASE("The same bytes in a nested value, a key or a string are not taken for the token") {
  // An array-index key comes first, so its nested object precedes the token.
  const std::string caller =
      R"({"7":{"a":1,"authorization":"nested"},"note":",\"authorization\":\"quoted",)"
      R"("list":[1,"authorization"]})";
  const std::string submitted = headers(kToken, caller);
  REQUIRE(submitted.find(R"(,"authorization":"nested")") < submitted.find(kToken));
  TokenKeeper tokens;
  StoredHeaders stored = tep::strip_token(submitted, tokens);
  CHECK(stored.text.find(kToken) == std::string::npos);
  CHECK(stored.text.find(R"("authorization":"nested")") != std::string::npos);
  CHECK(stored.text.find(R"(,\"authorization\":\"quoted)") != std::string::npos);
  CHECK(tep::headers_to_send(stored.text, stored.token_at, stored.fingerprint, tokens) ==
        submitted);
}

TEST_CASE("An authorization that is no string, or no authorization at all, is stored as it is") {
  TokenKeeper tokens;
  for (const std::string& submitted :
       {headers(std::nullopt), headers(std::nullopt, R"({"authorization":42})"),
        headers(std::nullopt, R"({"authorization":{"token":"inside"}})")}) {
    StoredHeaders stored = tep::strip_token(submitted, tokens);
    CHECK(stored.text == submitted);
    CHECK(stored.token_at == 0);
    CHECK(tep::headers_to_send(stored.text, 0, stored.fingerprint, tokens) == submitted);
  }
  CHECK(tokens.size() == 0);
}

TEST_CASE("A token with escaped quotes and backslashes ends at its closing quote") {
  const std::string token = "a\"b\\c\"";
  const std::string submitted = headers(token, R"({"x-after":"a"})");
  TokenKeeper tokens;
  StoredHeaders stored = tep::strip_token(submitted, tokens);
  CHECK(stored.text.find(R"("authorization":,"x-after":"a"})") != std::string::npos);
  CHECK(tokens.find(tep::fingerprint_of(R"("a\"b\\c\"")")) != nullptr);
  CHECK(tep::headers_to_send(stored.text, stored.token_at, stored.fingerprint, tokens) ==
        submitted);
}

TEST_CASE("Only the place right after an authorization key is a token slot") {
  const std::string text = R"({"client-id":"c","authorization":,"x":"y"})";
  const uint32_t slot = static_cast<uint32_t>(text.find(":,") + 1);
  CHECK(tep::is_token_slot(text, slot));
  CHECK_FALSE(tep::is_token_slot(text, 0));
  CHECK_FALSE(tep::is_token_slot(text, slot - 1));
  CHECK_FALSE(tep::is_token_slot(text, slot + 1));
  CHECK_FALSE(tep::is_token_slot(text, static_cast<uint32_t>(text.size())));
  CHECK_FALSE(tep::is_token_slot(R"({"client-id":"c","x":,"y":1})", 21));
}

TEST_CASE("Headers sent without a token nobody knows are stored again as they were stored") {
  TokenKeeper first_worker;
  StoredHeaders stored = tep::strip_token(headers(kToken), first_worker);
  TokenKeeper this_worker;  // never saw the token
  tep::Event event;
  event.headers =
      tep::headers_to_send(stored.text, stored.token_at, stored.fingerprint, this_worker);
  CHECK(event.headers == headers(std::nullopt));
  event.withheld_token_at = stored.token_at;
  event.withheld_token_fingerprint = stored.fingerprint;
  StoredHeaders again = tep::stored_form_of_withheld(event);
  CHECK(again.text == stored.text);
  CHECK(again.token_at == stored.token_at);
  CHECK(again.fingerprint == stored.fingerprint);
}
