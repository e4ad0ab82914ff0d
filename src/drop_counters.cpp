#include "drop_counters.h"

#include <cstdlib>

#include "json_text.h"

namespace tep {
namespace {

constexpr DropReason kReasons[] = {DropReason::kConsentFiltered, DropReason::kStoringFailed,
                                   DropReason::kValidationFailed};  // key order of the payload

}  // namespace

const char* drop_reason_key(DropReason reason) {
  switch (reason) {
    case DropReason::kConsentFiltered:
      return "consentFilteredEvents";
    case DropReason::kValidationFailed:
      return "validationFailedEvents";
    case DropReason::kStoringFailed:
      return "storingFailedEvents";
  }
  return "";
}

std::map<std::string, uint64_t>& DropCounters::of(DropReason reason) {
  switch (reason) {
    case DropReason::kConsentFiltered:
      return consent_filtered_;
    case DropReason::kValidationFailed:
      return validation_failed_;
    case DropReason::kStoringFailed:
      break;
  }
  return storing_failed_;
}

const std::map<std::string, uint64_t>& DropCounters::of(DropReason reason) const {
  return const_cast<DropCounters*>(this)->of(reason);
}

void DropCounters::add(DropReason reason, std::string_view event_name, uint64_t count) {
  if (count) of(reason)[std::string(event_name)] += count;
}

void DropCounters::subtract(const DropCounters& reported) {
  for (DropReason reason : kReasons) {
    auto& mine = of(reason);
    for (const auto& [name, count] : reported.of(reason)) {
      auto it = mine.find(name);
      if (it == mine.end()) continue;
      if (it->second <= count) {
        mine.erase(it);
      } else {
        it->second -= count;
      }
    }
  }
}

bool DropCounters::empty() const {
  return consent_filtered_.empty() && validation_failed_.empty() && storing_failed_.empty();
}

uint64_t DropCounters::total(DropReason reason) const {
  uint64_t sum = 0;
  for (const auto& entry : of(reason)) sum += entry.second;
  return sum;
}

std::string DropCounters::to_json() const {
  std::string out = "{";
  bool first_reason = true;
  for (DropReason reason : kReasons) {
    if (!first_reason) out += ',';
    first_reason = false;
    append_json_string(out, drop_reason_key(reason));
    out += ":{";
    bool first = true;
    for (const auto& [name, count] : of(reason)) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, name);
      out += ':';
      out += std::to_string(count);
    }
    out += '}';
  }
  out += '}';
  return out;
}

bool DropCounters::from_json(std::string_view json) {
  *this = DropCounters();
  auto members = scan_json_object(json);
  if (!members) return false;
  DropCounters read;
  for (const auto& member : *members) {
    DropReason reason;
    if (member.key == "consentFilteredEvents") {
      reason = DropReason::kConsentFiltered;
    } else if (member.key == "validationFailedEvents") {
      reason = DropReason::kValidationFailed;
    } else if (member.key == "storingFailedEvents") {
      reason = DropReason::kStoringFailed;
    } else {
      return false;
    }
    auto names = scan_json_object(member.raw_value);
    if (!names) return false;
    for (const auto& entry : *names) {
      std::string digits(entry.raw_value);
      if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        return false;
      read.add(reason, entry.key, std::strtoull(digits.c_str(), nullptr, 10));
    }
  }
  *this = std::move(read);
  return true;
}

}  // namespace tep
