#include "drop_counters.h"

#include "json_reader.h"
#include "stringify_writer.h"

namespace tep {
namespace {

constexpr DropReason kReasons[] = {DropReason::kConsentFiltered, DropReason::kStoringFailed,
                                   DropReason::kValidationFailed};

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

DropCounters::NameCounts& DropCounters::of(DropReason reason) {
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

const DropCounters::NameCounts& DropCounters::of(DropReason reason) const {
  return const_cast<DropCounters*>(this)->of(reason);
}

size_t DropCounters::distinct_names() const {
  size_t names = 0;
  for (DropReason reason : kReasons) {
    const auto& counted = of(reason);
    names += counted.size() - counted.count(kOtherNames);
  }
  return names;
}

void DropCounters::add(DropReason reason, std::string_view event_name, uint64_t count) {
  if (count == 0) return;
  auto& counted = of(reason);
  auto known = counted.find(event_name);
  if (known != counted.end()) {
    known->second += count;
    return;
  }
  bool fits =
      distinct_names() < kMaxNames && stringify_string(event_name).size() <= kMaxNameJsonBytes;
  counted[std::string(fits ? event_name : kOtherNames)] += count;
}

void DropCounters::fold_every_name() {
  for (DropReason reason : kReasons) {
    uint64_t total_count = total(reason);
    auto& counted = of(reason);
    counted.clear();
    if (total_count > 0) counted.emplace(kOtherNames, total_count);
  }
}

void DropCounters::merge(const DropCounters& other) {
  for (DropReason reason : kReasons) {
    for (const auto& [name, count] : other.of(reason)) add(reason, name, count);
  }
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

nlohmann::json DropCounters::to_json_value() const {
  nlohmann::json counters = nlohmann::json::object();
  for (DropReason reason : kReasons) {
    nlohmann::json& names = counters[drop_reason_key(reason)] = nlohmann::json::object();
    for (const auto& [name, count] : of(reason)) names[name] = count;
  }
  return counters;
}

std::string DropCounters::to_json() const { return stringify_value(to_json_value()); }

bool DropCounters::from_json(std::string_view json) {
  *this = DropCounters();
  nlohmann::json counters = read_json_value(json);
  if (!counters.is_object()) return false;
  DropCounters read;
  for (const auto& [key, names] : counters.items()) {
    DropReason reason;
    if (key == "consentFilteredEvents") {
      reason = DropReason::kConsentFiltered;
    } else if (key == "validationFailedEvents") {
      reason = DropReason::kValidationFailed;
    } else if (key == "storingFailedEvents") {
      reason = DropReason::kStoringFailed;
    } else {
      return false;
    }
    if (!names.is_object()) return false;
    for (const auto& [name, count] : names.items()) {
      if (!count.is_number_unsigned()) return false;
      read.add(reason, name, count.get<uint64_t>());
    }
  }
  *this = std::move(read);
  return true;
}

}  // namespace tep
