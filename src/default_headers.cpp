#include "default_headers.h"

#include <algorithm>
#include <cstdlib>
#include <utility>
#include <vector>

#include "json_text.h"

namespace tep {
namespace {

// The client-id value of the reference client when the provider gave none,
// kept so the collector's dashboards group such events the same way.
constexpr std::string_view kMissingClientId = "clientIDMissing!";

using RawMember = std::pair<std::string, std::string>;  // key, raw JSON value

void add_string(std::vector<RawMember>& members, const char* key,
                const std::optional<std::string>& value) {
  if (value) members.emplace_back(key, json_string(*value));
}

}  // namespace

std::optional<std::string> build_headers(const ClientInfo& client, const Credentials& credentials,
                                         bool include_authorization,
                                         std::string_view consent_category,
                                         int64_t sent_timestamp_ms,
                                         std::string_view caller_headers) {
  std::vector<RawMember> members;
  members.reserve(16);
  add_string(members, "app-name", client.app_name);
  add_string(members, "app-version", client.app_version);
  add_string(members, "browser-name", client.browser_name);
  add_string(members, "browser-version", client.browser_version);
  members.emplace_back("client-id",
                       json_string(credentials.client_id ? std::string_view(*credentials.client_id)
                                                         : kMissingClientId));
  members.emplace_back("consent-category", json_string(consent_category));
  add_string(members, "device-model", client.device_model);
  add_string(members, "device-vendor", client.device_vendor);
  add_string(members, "os-name", client.os_name);
  add_string(members, "os-version", client.os_version);
  members.emplace_back("requested-sent-timestamp", std::to_string(sent_timestamp_ms));
  if (include_authorization && credentials.token && !credentials.token->empty()) {
    members.emplace_back("authorization", json_string(*credentials.token));
  }

  if (!caller_headers.empty()) {
    auto caller = scan_json_object(caller_headers);
    if (!caller) return std::nullopt;
    for (const auto& member : *caller) {
      auto existing = std::find_if(members.begin(), members.end(),
                                   [&](const RawMember& m) { return m.first == member.key; });
      if (existing != members.end()) {
        existing->second = std::string(member.raw_value);
      } else {
        members.emplace_back(member.key, std::string(member.raw_value));
      }
    }
    // JavaScript objects list integer-like keys first, in numeric order.
    std::stable_partition(members.begin(), members.end(),
                          [](const RawMember& m) { return is_array_index_key(m.first); });
    auto index_end = std::find_if(members.begin(), members.end(),
                                  [](const RawMember& m) { return !is_array_index_key(m.first); });
    std::sort(members.begin(), index_end, [](const RawMember& a, const RawMember& b) {
      return std::strtoull(a.first.c_str(), nullptr, 10) <
             std::strtoull(b.first.c_str(), nullptr, 10);
    });
  }

  std::string out;
  out.reserve(256);
  out += '{';
  for (size_t i = 0; i < members.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, members[i].first);
    out += ':';
    out += members[i].second;
  }
  out += '}';
  return out;
}

}  // namespace tep
