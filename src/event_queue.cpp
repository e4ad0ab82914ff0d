// The queue's logic: what it writes to its files (queue_file_format.h) and
// what it keeps in memory (queue_index.h) for each operation.
#include "event_queue.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "queue_file_format.h"
#include "queue_index.h"

namespace tep {

EventQueue::EventQueue(FileStore& store, QueueLimits limits, TokenKeeper& tokens)
    : store_(store), limits_(limits), tokens_(tokens), index_(std::make_unique<QueueIndex>()) {}

EventQueue::~EventQueue() = default;

bool EventQueue::owns_file(const std::string& name) {
  uint64_t sequence = 0;
  QueueFileKind kind{};
  return parse_segment_file_name(name, sequence, kind);
}

RestoreReport EventQueue::restore(int64_t now_ms) {
  *index_ = QueueIndex();
  RestoreReport report;
  std::map<uint64_t, std::pair<bool, bool>> found;  // sequence → (has log, has settle log)
  for (const auto& name : store_.list()) {
    uint64_t seq = 0;
    QueueFileKind kind{};
    if (!parse_segment_file_name(name, seq, kind)) continue;
    (kind == QueueFileKind::kLog ? found[seq].first : found[seq].second) = true;
    index_->next_segment = std::max(index_->next_segment, seq + 1);
  }
  std::string log, settle;  // reused: one segment's files at a time
  for (const auto& [seq, present] : found) {
    const auto [has_log, has_settle] = present;
    const std::string log_name = segment_file_name(seq, QueueFileKind::kLog);
    const std::string settle_name = segment_file_name(seq, QueueFileKind::kSettle);
    QueueIndex::Segment segment;
    log.clear();
    settle.clear();
    bool log_ok = has_log && store_.read(log_name, log);
    bool settle_ok = has_settle && store_.read(settle_name, settle);
    if (has_log && log_ok) segment.version = readable_format_version(log, QueueFileKind::kLog);
    if (has_log && (!log_ok || segment.version == 0)) {
      ++report.unreadable_files;
      segment.readable = false;
      report.left_alone.push_back(log_name);
      // Its settlements mean nothing without it: they stay with it.
      if (has_settle) report.left_alone.push_back(settle_name);
    }
    if (has_settle && settle_ok && readable_format_version(settle, QueueFileKind::kSettle) == 0) {
      ++report.unreadable_files;  // events come back unsettled: duplicates at worst
      settle_ok = false;
      if (segment.readable) report.left_alone.push_back(settle_name);
    }
    segment.log_bytes = log.size();
    segment.settle_bytes = settle.size();
    index_->disk_bytes += log.size() + settle.size();
    if (!segment.readable) {
      index_->segments.emplace(seq, segment);
      continue;
    }
    std::set<uint32_t> removed;
    std::map<uint32_t, uint32_t> attempts;
    if (settle_ok) {
      FileRecords settlements = read_file_records(settle);
      report.corrupt_records += settlements.damaged;
      for (const FramedRecord& record : settlements.intact) {
        Settlement settlement{};
        uint32_t offset = 0;
        if (!parse_settle_record(record.payload, settlement, offset)) {
          ++report.corrupt_records;
        } else if (settlement == Settlement::kRemoved) {
          removed.insert(offset);
        } else {
          ++attempts[offset];
        }
      }
    }
    FileRecords events = read_file_records(log);
    report.corrupt_records += events.damaged;
    for (const FramedRecord& record : events.intact) {
      StoredEventFields fields;
      if (!parse_event_record(record.payload, fields)) {
        ++report.corrupt_records;
        continue;
      }
      if (removed.count(record.offset) > 0) continue;
      // A time after now can't be when it was sent (a clock set back): it
      // would keep the event, and those behind it, from ever being due.
      fields.created_ms = std::min(fields.created_ms, now_ms);
      auto attempt = attempts.find(record.offset);
      ++segment.live;
      index_->insert(fields, attempt != attempts.end() ? attempt->second : 0, seq, record.offset,
                     static_cast<uint32_t>(record.payload.size()));
    }
    index_->segments.emplace(seq, segment);
    if (segment.live == 0) {
      // Fully settled (or empty): compact it away.
      store_.remove(log_name);
      store_.remove(settle_name);
      index_->disk_bytes -= segment.log_bytes + segment.settle_bytes;
      index_->segments.erase(seq);
    }
  }
  for (auto& expired : expire(now_ms)) report.expired_names.push_back(std::move(expired.name));
  report.restored = index_->order.size();
  return report;
}

// Writes the live events at `keys` (every one of segment `old_seq`, in queue
// order) as a new segment in the current format, with their attempt counts,
// then deletes the old segment's files. False, with the old segment kept as
// it was, if a record can't be read or the store refuses a step.
bool EventQueue::rewrite_segment(uint64_t old_seq, const std::vector<uint64_t>& keys) {
  struct Moved {
    QueueIndex::Entry* entry;
    uint32_t offset;
    uint32_t length;
  };
  std::vector<Moved> moved;
  std::string log = queue_file_header(QueueFileKind::kLog);
  std::string settle;
  for (uint64_t key : keys) {
    QueueIndex::Entry& entry = index_->order.at(key);
    Event event;
    if (!QueueIndex::load(store_, tokens_, entry, event)) return false;
    std::string payload = event_record_payload(event, tokens_);
    auto offset = static_cast<uint32_t>(log.size());
    log += framed_record(payload);
    moved.push_back({&entry, offset, static_cast<uint32_t>(payload.size())});
    for (uint32_t i = 0; i < entry.attempts; ++i) {
      settle += framed_record(settle_record_payload(Settlement::kAttempt, offset));
    }
  }
  if (!settle.empty()) settle = queue_file_header(QueueFileKind::kSettle) + settle;
  uint64_t seq = index_->next_segment++;
  const std::string log_name = segment_file_name(seq, QueueFileKind::kLog);
  const std::string settle_name = segment_file_name(seq, QueueFileKind::kSettle);
  bool written =
      store_.write(log_name, log) && (settle.empty() || store_.write(settle_name, settle));
  // The new copy is complete before the old one goes; if the old one can't
  // go, the new one goes instead, so no event is restored twice.
  if (!written || !store_.remove(segment_file_name(old_seq, QueueFileKind::kLog))) {
    store_.remove(log_name);
    if (!settle.empty()) store_.remove(settle_name);
    return false;
  }
  auto old = index_->segments.find(old_seq);
  // A settle log left behind without its log is compacted away on restore.
  if (old->second.settle_bytes > 0) {
    store_.remove(segment_file_name(old_seq, QueueFileKind::kSettle));
  }
  index_->disk_bytes -= old->second.log_bytes + old->second.settle_bytes;
  index_->segments.erase(old);
  for (const Moved& m : moved) {
    m.entry->segment = seq;
    m.entry->offset = m.offset;
    m.entry->length = m.length;
  }
  QueueIndex::Segment segment;
  segment.log_bytes = log.size();
  segment.settle_bytes = settle.size();
  segment.live = moved.size();
  index_->segments.emplace(seq, segment);
  index_->disk_bytes += log.size() + settle.size();
  return true;
}

size_t EventQueue::rewrite_earlier_formats() {
  std::map<uint64_t, std::vector<uint64_t>> keys_by_segment;  // in queue order
  for (const auto& [key, entry] : index_->order) {
    auto segment = index_->segments.find(entry.segment);
    if (segment != index_->segments.end() && segment->second.version < kQueueFormatVersion) {
      keys_by_segment[entry.segment].push_back(key);
    }
  }
  size_t rewritten = 0;
  for (const auto& [seq, keys] : keys_by_segment) {
    if (rewrite_segment(seq, keys)) ++rewritten;
  }
  return rewritten;
}

AppendResult EventQueue::append(const Event& event) {
  std::string payload = event_record_payload(event, tokens_);
  std::string bytes = framed_record(payload);
  auto tail = index_->segments.find(index_->tail);
  bool rotate = !index_->has_tail || tail == index_->segments.end() ||
                tail->second.log_bytes + bytes.size() > limits_.segment_bytes;
  uint64_t seq = rotate ? index_->next_segment : index_->tail;
  if (rotate) bytes = queue_file_header(QueueFileKind::kLog) + bytes;
  if (index_->disk_bytes + bytes.size() > limits_.max_disk_bytes) return AppendResult::kFull;
  const std::string log_name = segment_file_name(seq, QueueFileKind::kLog);
  if (!store_.append(log_name, bytes)) {
    // Whatever part was written is unreadable garbage (length + CRC); start a
    // fresh segment so the next event isn't glued to it.
    index_->has_tail = false;
    if (rotate) {
      index_->next_segment = seq + 1;
      store_.remove(log_name);
    }
    return AppendResult::kStorageError;
  }
  if (rotate) {
    index_->next_segment = seq + 1;
    index_->tail = seq;
    index_->has_tail = true;
    index_->segments.emplace(seq, QueueIndex::Segment());
  }
  QueueIndex::Segment& segment = index_->segments[seq];
  auto offset = static_cast<uint32_t>(rotate ? kQueueFileHeaderBytes : segment.log_bytes);
  segment.log_bytes += bytes.size();
  ++segment.live;
  index_->disk_bytes += bytes.size();
  StoredEventFields fields{event.id, event.name, event.headers, event.payload, event.created_ms};
  index_->insert(fields, 0, seq, offset, static_cast<uint32_t>(payload.size()));
  return AppendResult::kStored;
}

// Appends a settle record for each of the events at `keys`, one write per
// settle log; kRemoved also drops them from memory and compacts segments
// left with nothing live. Returns the keys settled.
std::vector<uint64_t> EventQueue::settle_keys(const std::vector<uint64_t>& keys,
                                              Settlement settlement) {
  std::map<uint64_t, std::string> by_segment;
  std::vector<uint64_t> settled;
  for (uint64_t key : keys) {
    auto it = index_->order.find(key);
    if (it == index_->order.end()) continue;
    by_segment[it->second.segment] +=
        framed_record(settle_record_payload(settlement, it->second.offset));
  }
  for (auto& [seq, bytes] : by_segment) {
    auto segment = index_->segments.find(seq);
    if (segment == index_->segments.end()) continue;
    if (segment->second.settle_bytes == 0) {
      bytes.insert(0, queue_file_header(QueueFileKind::kSettle));
    }
    // A failed write only risks a duplicate after a reload: the event
    // is settled in memory either way.
    if (store_.append(segment_file_name(seq, QueueFileKind::kSettle), bytes)) {
      segment->second.settle_bytes += bytes.size();
      index_->disk_bytes += bytes.size();
    }
  }
  for (uint64_t key : keys) {
    auto it = index_->order.find(key);
    if (it == index_->order.end()) continue;
    settled.push_back(key);
    if (settlement == Settlement::kAttempt) {
      ++it->second.attempts;
      continue;
    }
    uint64_t seq = it->second.segment;
    index_->forget(key);
    auto segment = index_->segments.find(seq);
    if (segment == index_->segments.end()) continue;
    if (--segment->second.live == 0) {
      store_.remove(segment_file_name(seq, QueueFileKind::kLog));
      store_.remove(segment_file_name(seq, QueueFileKind::kSettle));
      index_->disk_bytes -= segment->second.log_bytes + segment->second.settle_bytes;
      if (index_->has_tail && index_->tail == seq) index_->has_tail = false;
      index_->segments.erase(segment);
    }
  }
  return settled;
}

// Removes the events at `keys` and returns them as far as the store still
// has them (an unreadable one comes back with its id and name only).
std::vector<Event> EventQueue::remove_keys(const std::vector<uint64_t>& keys) {
  std::vector<Event> removed;
  for (uint64_t key : keys) {
    auto it = index_->order.find(key);
    if (it == index_->order.end()) continue;
    removed.push_back(QueueIndex::load_or_index(store_, tokens_, it->second));
  }
  settle_keys(keys, Settlement::kRemoved);
  return removed;
}

std::vector<Event> EventQueue::peek(size_t max_count, size_t max_bytes,
                                    const std::function<bool(const std::string&)>& skip,
                                    const ConsentState* consent) {
  std::vector<Event> out;
  std::vector<uint64_t> unreadable;
  size_t bytes = 0;
  for (const auto& [key, entry] : index_->order) {
    if (out.size() >= max_count) break;
    if (consent && !consent->allows(entry.category)) continue;
    if (skip && skip(entry.id)) continue;
    if (!out.empty() && bytes + entry.size > max_bytes) break;
    Event event;
    if (!QueueIndex::load(store_, tokens_, entry, event)) {
      unreadable.push_back(key);
      continue;
    }
    bytes += entry.size;
    out.push_back(std::move(event));
  }
  // A record that can't be read back would otherwise sit at the head forever.
  for (uint64_t key : unreadable) index_->unreadable_names.push_back(*index_->order.at(key).name);
  if (!unreadable.empty()) settle_keys(unreadable, Settlement::kRemoved);
  return out;
}

std::vector<Event> EventQueue::read(const std::vector<std::string>& ids,
                                    const std::function<bool(const std::string&)>& skip,
                                    const ConsentState& consent) {
  std::vector<Event> out;
  for (uint64_t key : index_->keys_of(ids)) {
    const QueueIndex::Entry& entry = index_->order.at(key);
    if (!consent.allows(entry.category) || (skip && skip(entry.id))) continue;
    Event event;
    if (QueueIndex::load(store_, tokens_, entry, event)) out.push_back(std::move(event));
  }
  return out;
}

std::vector<std::string> EventQueue::take_unreadable_names() {
  return std::exchange(index_->unreadable_names, {});
}

size_t EventQueue::remove(const std::vector<std::string>& ids) {
  return settle_keys(index_->keys_of(ids), Settlement::kRemoved).size();
}

std::vector<uint32_t> EventQueue::record_attempt(const std::vector<std::string>& ids) {
  settle_keys(index_->keys_of(ids), Settlement::kAttempt);
  std::vector<uint32_t> counts;
  for (const auto& id : ids) {
    auto found = index_->by_id.find(std::string_view(id));
    counts.push_back(found == index_->by_id.end() ? 0 : index_->order.at(found->second).attempts);
  }
  return counts;
}

std::vector<Event> EventQueue::remove_if(const std::function<bool(const Event&)>& predicate) {
  std::vector<uint64_t> keys;
  std::vector<Event> removed;
  for (const auto& [key, entry] : index_->order) {
    Event event = QueueIndex::load_or_index(store_, tokens_, entry);
    if (!predicate(event)) continue;
    keys.push_back(key);
    removed.push_back(std::move(event));
  }
  settle_keys(keys, Settlement::kRemoved);
  return removed;
}

std::vector<std::string> EventQueue::remove_indexed_if(
    const std::function<bool(ConsentCategory category, int64_t created_ms, size_t size)>&
        predicate) {
  std::vector<uint64_t> keys;
  std::vector<std::string> names;
  for (const auto& [key, entry] : index_->order) {
    if (!predicate(entry.category, entry.created_ms, entry.size)) continue;
    keys.push_back(key);
    names.push_back(*entry.name);
  }
  settle_keys(keys, Settlement::kRemoved);
  return names;
}

std::vector<std::string> EventQueue::remove_purged(const ConsentState& consent) {
  return remove_indexed_if([&consent](ConsentCategory category, int64_t created_ms, size_t) {
    return consent.purges(category, created_ms);
  });
}

std::vector<std::string> EventQueue::remove_malformed(size_t max_event_bytes) {
  return remove_indexed_if([max_event_bytes](ConsentCategory category, int64_t, size_t size) {
    return category == ConsentCategory::kUnknown || size >= max_event_bytes;
  });
}

std::vector<Event> EventQueue::expire(int64_t now_ms) {
  if (limits_.ttl_ms <= 0) return {};
  int64_t cutoff = now_ms - limits_.ttl_ms;
  std::vector<uint64_t> keys;
  // Oldest first: stop at the first event still young enough.
  for (const auto& [key, entry] : index_->order) {
    if (entry.created_ms >= cutoff) break;
    keys.push_back(key);
  }
  return remove_keys(keys);
}

size_t EventQueue::size() const { return index_->order.size(); }
uint64_t EventQueue::disk_bytes() const { return index_->disk_bytes; }
uint64_t EventQueue::free_disk_bytes() const {
  return limits_.max_disk_bytes - std::min(limits_.max_disk_bytes, index_->disk_bytes);
}
bool EventQueue::contains(const std::string& id) const {
  return index_->by_id.count(std::string_view(id)) > 0;
}
size_t EventQueue::size_of(ConsentCategory category) const {
  return index_->count_by_category[static_cast<size_t>(category)];
}

int64_t EventQueue::oldest_created_ms(const std::function<bool(const std::string&)>& skip,
                                      const ConsentState* consent) const {
  for (const auto& [key, entry] : index_->order) {
    if (consent && !consent->allows(entry.category)) continue;
    if (!skip || !skip(entry.id)) return entry.created_ms;
  }
  return -1;
}

}  // namespace tep
