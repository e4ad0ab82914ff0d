#include "default_headers.h"

#include <catch2/catch.hpp>
#include <string>

using tep::build_headers;
using tep::ClientInfo;
using tep::Credentials;

namespace {

ClientInfo full_client() {
  ClientInfo client;
  client.app_name = "app";
  client.app_version = "1.2";
  client.browser_name = "chrome";
  client.browser_version = "120";
  client.os_name = "linux";
  client.os_version = "6";
  client.device_vendor = "acme";
  client.device_model = "x1";
  return client;
}

const Credentials kLoggedIn{std::string("client"), std::string("token")};

}  // namespace

TEST_CASE("Default headers come in the reference client's order, authorization last") {
  auto headers = build_headers(full_client(), kLoggedIn, true, "NECESSARY", 1000, {});
  REQUIRE(headers);
  CHECK(*headers ==
        R"({"app-name":"app","app-version":"1.2","browser-name":"chrome","browser-version":"120",)"
        R"("client-id":"client","consent-category":"NECESSARY","device-model":"x1",)"
        R"("device-vendor":"acme","os-name":"linux","os-version":"6",)"
        R"("requested-sent-timestamp":1000,"authorization":"token"})");
}

TEST_CASE("Headers without a value are left out, and a missing client id is marked") {
  auto headers = build_headers(ClientInfo(), Credentials(), true, "PERFORMANCE", 7, {});
  REQUIRE(headers);
  CHECK(*headers == R"({"client-id":"clientIDMissing!","consent-category":"PERFORMANCE",)"
                    R"("requested-sent-timestamp":7})");
}

TEST_CASE("The monitoring event's headers never carry authorization") {
  auto headers = build_headers(ClientInfo(), kLoggedIn, false, "NECESSARY", 7, {});
  REQUIRE(headers);
  CHECK(headers->find("authorization") == std::string::npos);
}

TEST_CASE("A caller's header replaces a default in place and new ones are appended") {
  auto headers = build_headers(ClientInfo(), kLoggedIn, true, "NECESSARY", 7,
                               R"({"x-extra":"1","client-id":"mine","2":"n"})");
  REQUIRE(headers);
  CHECK(*headers == R"({"2":"n","client-id":"mine","consent-category":"NECESSARY",)"
                    R"("requested-sent-timestamp":7,"authorization":"token","x-extra":"1"})");
}

TEST_CASE("Caller headers that are not a JSON object are refused") {
  CHECK_FALSE(build_headers(ClientInfo(), kLoggedIn, true, "NECESSARY", 7, "[1]"));
  CHECK_FALSE(build_headers(ClientInfo(), kLoggedIn, true, "NECESSARY", 7, "{"));
}
