// The headers every event carries (the spec's default headers), built in the
// key order and with the value types the collector's reference client uses,
// so the JSON is byte-identical to what @tidal-music/event-producer sends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tep {

/// Describes the app and the platform; a field left empty is omitted.
struct ClientInfo {
  std::optional<std::string> app_name;
  std::optional<std::string> app_version;
  std::optional<std::string> browser_name;
  std::optional<std::string> browser_version;
  std::optional<std::string> os_name;
  std::optional<std::string> os_version;
  std::optional<std::string> device_vendor;
  std::optional<std::string> device_model;
};

/// What the app's credentials provider last returned.
struct Credentials {
  std::optional<std::string> client_id;
  std::optional<std::string> token;  ///< present only for a logged-in user
};

/// The headers JSON object: app-name, app-version, browser-name,
/// browser-version, client-id (or "clientIDMissing!"), consent-category,
/// device-model, device-vendor, os-name, os-version,
/// requested-sent-timestamp (a number), then authorization (the raw token,
/// only when `include_authorization` and logged in), then the caller's headers
/// (`caller_headers`: raw JSON object text, may be empty): a caller key that
/// matches a default replaces its value in place, new keys are appended, and
/// integer-like keys come first as JavaScript orders them.
/// Returns nullopt if `caller_headers` is not a JSON object.
std::optional<std::string> build_headers(const ClientInfo& client, const Credentials& credentials,
                                         bool include_authorization,
                                         std::string_view consent_category,
                                         int64_t sent_timestamp_ms,
                                         std::string_view caller_headers);

}  // namespace tep
