#include "queue_index.h"

#include <algorithm>
#include <utility>

namespace tep {

namespace {

// A record's headers hold `,"authorization":` with the token's string cut
// out at token_at (stored_headers.h): an empty string in its place makes
// them JSON again for the category, which comes before it.
ConsentCategory category_of(const StoredEventFields& fields) {
  if (fields.token_at == 0 || fields.token_at > fields.headers.size()) {
    return consent_category_of_built_headers(fields.headers);
  }
  std::string headers(fields.headers);
  headers.insert(fields.token_at, "\"\"");
  return consent_category_of_built_headers(headers);
}

}  // namespace

void QueueIndex::insert(const StoredEventFields& fields, uint32_t attempts, uint64_t segment,
                        uint32_t offset, uint32_t length) {
  uint64_t key = next_order++;
  // event_size() of the event, without building it.
  auto size = fields.id.size() + fields.name.size() + fields.headers.size() + fields.payload.size();
  Entry entry{std::string(fields.id),
              &*names.emplace(fields.name).first,
              segment,
              offset,
              length,
              static_cast<uint32_t>(size),
              attempts,
              fields.created_ms,
              category_of(fields)};
  ++count_by_category[static_cast<size_t>(entry.category)];
  auto placed = order.emplace(key, std::move(entry)).first;
  by_id.emplace(std::string_view(placed->second.id), key);
}

void QueueIndex::forget(uint64_t key) {
  auto it = order.find(key);
  if (it == order.end()) return;
  auto range = by_id.equal_range(std::string_view(it->second.id));
  for (auto i = range.first; i != range.second; ++i) {
    if (i->second == key) {
      by_id.erase(i);
      break;
    }
  }
  --count_by_category[static_cast<size_t>(it->second.category)];
  order.erase(it);
}

std::vector<uint64_t> QueueIndex::keys_of(const std::vector<std::string>& ids) const {
  std::vector<uint64_t> keys;
  for (const auto& id : ids) {
    auto range = by_id.equal_range(std::string_view(id));
    for (auto i = range.first; i != range.second; ++i) keys.push_back(i->second);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

bool QueueIndex::load(FileStore& store, const TokenKeeper& tokens, const Entry& entry, Event& out) {
  std::string record;
  std::string_view payload;
  if (!store.read_range(segment_file_name(entry.segment, QueueFileKind::kLog), entry.offset,
                        kRecordFrameBytes + entry.length, record) ||
      !read_framed_payload(record, entry.length, payload) ||
      !read_event_record(payload, tokens, out)) {
    return false;
  }
  out.attempts = entry.attempts;
  return true;
}

Event QueueIndex::load_or_index(FileStore& store, const TokenKeeper& tokens, const Entry& entry) {
  Event event;
  if (!load(store, tokens, entry, event)) {
    event = Event{entry.id, *entry.name, "", "", entry.created_ms, entry.attempts};
  }
  return event;
}

}  // namespace tep
