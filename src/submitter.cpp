#include "submitter.h"

#include "json_text.h"
#include "xml_chars.h"

namespace tep {
namespace {

// Counter keys for events whose own name is unusable.
constexpr std::string_view kUnnamed = "(unnamed)";

Submission drop(DropReason reason, std::string name, std::string problem) {
  Submission s;
  s.reason = reason;
  s.name = std::move(name);
  s.problem = std::move(problem);
  return s;
}

const JsonMember* find_member(const std::vector<JsonMember>& members, std::string_view key) {
  for (const auto& m : members) {
    if (m.key == key) return &m;
  }
  return nullptr;
}

// The name of an event the scanner refused (too deep, say), when "name" is
// its first member, as it is for events built as {name, …}: so the drop is
// counted under the name the app knows.
std::string leading_name(std::string_view json) {
  constexpr std::string_view kPrefix = "{\"name\":";
  if (json.substr(0, kPrefix.size()) != kPrefix) return std::string(kUnnamed);
  size_t end = kPrefix.size() + 1;
  while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
  if (end >= json.size()) return std::string(kUnnamed);
  auto name = decode_json_string(json.substr(kPrefix.size(), end - kPrefix.size() + 1));
  return name && !name->empty() ? *name : std::string(kUnnamed);
}

// JavaScript truthiness of a JSON value, for strict mode's "payload present".
bool is_truthy(std::string_view raw) {
  return !(raw == "null" || raw == "false" || raw == "0" || raw == "-0" || raw == "\"\"");
}

// The MessageBody: the event without consentCategory, with ts and uuid set
// (replacing in place keys the event already had, as an object spread does).
std::string message_body(const std::vector<JsonMember>& members, const std::string& id,
                         int64_t now_ms) {
  std::string out;
  out.reserve(256);
  out += '{';
  bool first = true;
  bool has_ts = false, has_uuid = false;
  auto key = [&](std::string_view k) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, k);
    out += ':';
  };
  for (const auto& m : members) {
    if (m.key == "consentCategory") continue;
    key(m.key);
    if (m.key == "ts") {
      out += std::to_string(now_ms);
      has_ts = true;
    } else if (m.key == "uuid") {
      append_json_string(out, id);
      has_uuid = true;
    } else {
      out += m.raw_value;
    }
  }
  if (!has_ts) {
    key("ts");
    out += std::to_string(now_ms);
  }
  if (!has_uuid) {
    key("uuid");
    append_json_string(out, id);
  }
  out += '}';
  return out;
}

size_t stored_size(const std::string& headers, const std::string& id, const std::string& name,
                   const std::string& payload) {
  // Length of {"headers":H,"id":"…","name":"…"} plus the payload.
  return 11 + headers.size() + 6 + json_string(id).size() + 8 + json_string(name).size() + 1 +
         payload.size();
}

}  // namespace

bool Submitter::allows(std::string_view category) const {
  if (category == "NECESSARY") return true;
  if (category == "PERFORMANCE") return !config_.consent.performance_blocked;
  if (category == "TARGETING") return !config_.consent.targeting_blocked;
  return false;
}

Submission Submitter::submit(std::string_view event_json, const std::string& id,
                             int64_t now_ms) const {
  auto members = scan_json_object(event_json);
  if (!members) {
    return drop(DropReason::kValidationFailed, leading_name(event_json),
                "[tep.event.not_an_object] the event must be a plain object of JSON values, "
                "nested at most 128 deep");
  }
  std::string name;
  const JsonMember* name_member = find_member(*members, "name");
  if (name_member) {
    if (auto decoded = decode_json_string(name_member->raw_value)) name = std::move(*decoded);
  }
  if (name.empty()) {
    return drop(DropReason::kValidationFailed, std::string(kUnnamed),
                "[tep.event.name_missing] the event has no name (a non-empty string)");
  }

  const JsonMember* category_member = find_member(*members, "consentCategory");
  std::optional<std::string> category;
  if (category_member) category = decode_json_string(category_member->raw_value);
  if (!category) {
    return drop(DropReason::kConsentFiltered, name,
                "[tep.event.consent_category_missing] event '" + name +
                    "' has no consentCategory; it is not sent without consent");
  }
  if (*category != "NECESSARY" && *category != "PERFORMANCE" && *category != "TARGETING") {
    return drop(
        DropReason::kConsentFiltered, name,
        "[tep.event.consent_category_unknown] event '" + name +
            "' has an unknown consentCategory; expected NECESSARY, PERFORMANCE or TARGETING");
  }
  if (!allows(*category)) {
    return drop(DropReason::kConsentFiltered, name,
                "[tep.event.consent_blocked] consent category " + *category +
                    " is blocked; event '" + name + "' is not sent");
  }

  const JsonMember* payload_member = find_member(*members, "payload");
  if (config_.strict_mode && (!payload_member || !is_truthy(payload_member->raw_value))) {
    return drop(DropReason::kValidationFailed, name,
                "[tep.event.payload_missing] event '" + name + "' has no payload");
  }

  std::string_view caller_headers;
  if (const JsonMember* headers_member = find_member(*members, "headers")) {
    caller_headers = headers_member->raw_value;
  }
  auto headers = build_headers(config_.client, credentials_, /*include_authorization=*/true,
                               *category, now_ms, caller_headers);
  if (!headers) {
    return drop(DropReason::kValidationFailed, name,
                "[tep.event.headers_not_object] event '" + name +
                    "' has headers that are not an object of strings");
  }

  std::string payload = message_body(*members, id, now_ms);
  if (stored_size(*headers, id, name, payload) >= kMaxEventBytes) {
    return drop(DropReason::kValidationFailed, name,
                "[tep.event.too_large] event '" + name + "' is 20480 bytes or more");
  }
  if (!json_has_only_xml_chars(payload) || !json_has_only_xml_chars(*headers) ||
      !utf8_has_only_xml_chars(name)) {
    return drop(DropReason::kValidationFailed, name,
                "[tep.event.invalid_character] event '" + name +
                    "' contains a character that is not allowed in XML 1.0 (a control "
                    "character, U+FFFE/U+FFFF or a lone surrogate)");
  }

  Submission s;
  s.name = name;
  s.event = Event{id, std::move(name), std::move(*headers), std::move(payload), now_ms, 0};
  return s;
}

Event Submitter::monitoring_event(const std::string& counters_json, const std::string& id,
                                  int64_t now_ms) const {
  auto headers = build_headers(config_.client, credentials_, /*include_authorization=*/false,
                               "NECESSARY", now_ms, {});
  return Event{id, std::string(kMonitoringEventName), headers.value_or("{}"), counters_json, now_ms,
               0};
}

}  // namespace tep
