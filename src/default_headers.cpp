#include "default_headers.h"

#include "stringify_writer.h"

namespace tep {
namespace {

// The client-id value of the reference client when the provider gave none,
// kept so the collector's dashboards group such events the same way.
constexpr std::string_view kMissingClientId = "clientIDMissing!";

void add_string(StringifyWriter& headers, std::string_view key,
                const std::optional<std::string>& value) {
  if (!value) return;
  headers.write_key(key);
  headers.write_string(*value);
}

}  // namespace

std::optional<std::string> build_headers(const ClientInfo& client, const Credentials& credentials,
                                         bool include_authorization,
                                         std::string_view consent_category,
                                         int64_t sent_timestamp_ms,
                                         std::string_view caller_headers) {
  std::string out;
  out.reserve(256);
  StringifyWriter headers(out);
  headers.open_object();
  add_string(headers, "app-name", client.app_name);
  add_string(headers, "app-version", client.app_version);
  add_string(headers, "browser-name", client.browser_name);
  add_string(headers, "browser-version", client.browser_version);
  headers.write_key("client-id");
  headers.write_string(credentials.client_id ? std::string_view(*credentials.client_id)
                                             : kMissingClientId);
  headers.write_key("consent-category");
  headers.write_string(consent_category);
  add_string(headers, "device-model", client.device_model);
  add_string(headers, "device-vendor", client.device_vendor);
  add_string(headers, "os-name", client.os_name);
  add_string(headers, "os-version", client.os_version);
  headers.write_key("requested-sent-timestamp");
  headers.write_integer(sent_timestamp_ms);
  if (include_authorization && credentials.token && !credentials.token->empty()) {
    add_string(headers, "authorization", credentials.token);
  }
  // {...defaults, ...callerHeaders}, as the reference client builds them.
  if (!caller_headers.empty() && !headers.spread(caller_headers)) return std::nullopt;
  headers.close_object();
  return out;
}

}  // namespace tep
