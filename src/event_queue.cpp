// On-disk format, version 2
// =========================
// The queue is a folder of segment files and their settle logs:
//
//   seg-0000000000000007.log   events, appended in order
//   seg-0000000000000007.ack   settlements of those events, appended
//
// Every file starts with an 8-byte header, then records:
//
//   header  | 'T' 'E' 'P' 'Q' | version u8 (=2) | kind u8 (1 log, 2 settle) | 0 0 |
//   record  | length u32 LE | CRC-32 of payload u32 LE | payload (length bytes) |
//
//   event payload   | 4 | id | name | headers | payload | created_ms i64 LE |
//                     token_at u32 LE | token fingerprint (16 bytes) |
//                     (each string: length u32 LE + UTF-8 bytes; the headers
//                     without their bearer token, cut out at token_at, 0 if
//                     there was none; the fingerprint, zeros then, finds the
//                     token in memory: stored_headers.h, token_keeper.h)
//   settle payload  | 2 = removed, 3 = one more attempt | offset u32 LE |
//                     (offset: where the event's record starts in its .log)
//
// Version 1, written by earlier releases, differs in the event payload only:
// | 1 | id | name | headers | payload | created_ms i64 LE |, whose headers
// still hold the token. This release reads both versions and writes 2, which
// earlier releases leave alone (the first recovery rule below) rather than
// mis-read. At start the producer rewrites every version-1 segment
// (EventQueue::rewrite_earlier_formats): its live events, with their attempt
// counts, are written to a new version-2 segment, and only then are the old
// files deleted. A segment whose rewrite fails keeps its files until the
// next start.
//
// Appending an event writes one record to the newest segment; settling one
// writes 9 bytes to its segment's settle log. A segment is rotated at
// QueueLimits::segment_bytes, and deleted with its settle log once every event in it is
// settled. Every IndexedDB sync writes each changed file whole, so the
// segment size bounds the bytes written per sync, whatever the queue's depth.
//
// Recovery rules on restore:
// - a file with another magic, version or kind is left alone and counted
//   (never delete what can't be read); its sequence number stays taken;
// - a record whose length runs past the end of its file is a torn tail:
//   counted, and reading that file stops there;
// - a record with an absurd length (> kMaxRecordBytes) ends the file too: the
//   next record can't be located safely;
// - a record with a sane length but a wrong CRC, or a payload that doesn't
//   parse, is counted and skipped;
// - a damaged settle record only means its event comes back and is sent
//   again (the collector dedupes by id): it can cause a duplicate, never a loss;
// - new events always go to a new segment after a restore, so nothing is ever
//   appended behind a torn tail.
#include "event_queue.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "record_checksum.h"
#include "stored_headers.h"

namespace tep {
namespace {

constexpr char kMagic[4] = {'T', 'E', 'P', 'Q'};
constexpr uint8_t kFormatVersion = 2;
constexpr uint8_t kEarliestReadableVersion = 1;
constexpr uint8_t kKindLog = 1;
constexpr uint8_t kKindSettle = 2;
constexpr size_t kHeaderBytes = 8;
constexpr size_t kRecordOverhead = 8;         // length + CRC
constexpr uint8_t kEventWithTokenRecord = 1;  // version 1
constexpr uint8_t kRemovedRecord = 2;
constexpr uint8_t kAttemptRecord = 3;
constexpr uint8_t kEventRecord = 4;
constexpr size_t kFingerprintBytes = std::tuple_size<TokenFingerprint>::value;
// Events are under 20 KiB (the spec's limit); anything much larger is damage.
constexpr uint32_t kMaxRecordBytes = 64 * 1024;

std::string header(uint8_t kind) {
  std::string h(kMagic, 4);
  h += static_cast<char>(kFormatVersion);
  h += static_cast<char>(kind);
  h += std::string(2, '\0');
  return h;
}

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
}

void put_string(std::string& out, const std::string& s) {
  put_u32(out, static_cast<uint32_t>(s.size()));
  out += s;
}

uint32_t get_u32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

std::string record(const std::string& payload) {
  std::string out;
  out.reserve(payload.size() + kRecordOverhead);
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, crc32(payload));
  out += payload;
  return out;
}

// The record of `e`, whose token `tokens` keeps and the record doesn't.
std::string event_payload(const Event& e, TokenKeeper& tokens) {
  StoredHeaders headers = strip_token(e.headers, tokens);
  std::string p;
  // The strings, plus the type, their four lengths, created_ms and the token's slot.
  p.reserve(e.id.size() + e.name.size() + headers.text.size() + e.payload.size() + 1 + 4 * 4 + 8 +
            4 + kFingerprintBytes);
  p += static_cast<char>(kEventRecord);
  put_string(p, e.id);
  put_string(p, e.name);
  put_string(p, headers.text);
  put_string(p, e.payload);
  uint64_t created = static_cast<uint64_t>(e.created_ms);
  put_u32(p, static_cast<uint32_t>(created & 0xFFFFFFFFu));
  put_u32(p, static_cast<uint32_t>(created >> 32));
  put_u32(p, headers.token_at);
  p.append(reinterpret_cast<const char*>(headers.fingerprint.data()), kFingerprintBytes);
  return p;
}

// The fields of an event record, as views into it; false if it isn't one.
struct EventFields {
  std::string_view id, name, headers, payload;
  int64_t created_ms = 0;
  uint32_t token_at = 0;  // 0: `headers` are as sent (no token, or a version-1 record)
  TokenFingerprint fingerprint{};
};

bool parse_event_fields(std::string_view p, EventFields& f) {
  if (p.empty()) return false;
  uint8_t type = static_cast<uint8_t>(p[0]);
  if (type != kEventRecord && type != kEventWithTokenRecord) return false;
  size_t at = 1;
  for (std::string_view* field : {&f.id, &f.name, &f.headers, &f.payload}) {
    if (at + 4 > p.size()) return false;
    uint32_t length = get_u32(p, at);
    at += 4;
    if (length > p.size() - at) return false;
    *field = p.substr(at, length);
    at += length;
  }
  size_t token_bytes = type == kEventRecord ? 4 + kFingerprintBytes : 0;
  if (at + 8 + token_bytes != p.size()) return false;
  uint64_t created = uint64_t(get_u32(p, at)) | (uint64_t(get_u32(p, at + 4)) << 32);
  f.created_ms = static_cast<int64_t>(created);
  if (type == kEventRecord) {
    f.token_at = get_u32(p, at + 8);
    if (f.token_at != 0 && !is_token_slot(f.headers, f.token_at)) return false;
    std::copy_n(p.data() + at + 12, kFingerprintBytes, f.fingerprint.begin());
  }
  return true;
}

bool parse_event(std::string_view p, const TokenKeeper& tokens, Event& e) {
  EventFields f;
  if (!parse_event_fields(p, f)) return false;
  e.id.assign(f.id);
  e.name.assign(f.name);
  e.headers = headers_to_send(f.headers, f.token_at, f.fingerprint, tokens);
  e.payload.assign(f.payload);
  e.created_ms = f.created_ms;
  e.attempts = 0;
  return true;
}

std::string settle_payload(uint8_t type, uint32_t offset) {
  std::string p(1, static_cast<char>(type));
  put_u32(p, offset);
  return p;
}

std::string segment_name(uint64_t seq, const char* extension) {
  // Formatted by hand: snprintf would pull ~8 KB of printf into the wasm.
  std::string name = "seg-0000000000000000.";
  for (size_t i = 19; seq > 0 && i >= 4; --i, seq /= 10)
    name[i] = static_cast<char>('0' + seq % 10);
  return name + extension;
}

// "seg-<16 digits>.log|ack" → sequence and kind; false for other files.
bool parse_segment_name(const std::string& name, uint64_t& seq, bool& is_log) {
  if (name.size() != 24 || name.compare(0, 4, "seg-") != 0 || name[20] != '.') return false;
  std::string ext = name.substr(21);
  if (ext != "log" && ext != "ack") return false;
  seq = 0;
  for (size_t i = 4; i < 20; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    seq = seq * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  is_log = ext == "log";
  return true;
}

// The format version of a file of `kind`, or 0 if this release can't read it.
uint8_t readable_version(std::string_view bytes, uint8_t kind) {
  if (bytes.size() < kHeaderBytes || bytes.compare(0, 4, std::string_view(kMagic, 4)) != 0 ||
      static_cast<uint8_t>(bytes[5]) != kind) {
    return 0;
  }
  uint8_t version = static_cast<uint8_t>(bytes[4]);
  return version >= kEarliestReadableVersion && version <= kFormatVersion ? version : 0;
}

// Calls `visit(offset, payload)` for every intact record; returns how many
// were torn or corrupt.
template <typename Visit>
size_t read_records(std::string_view bytes, Visit visit) {
  size_t corrupt = 0;
  size_t at = kHeaderBytes;
  while (at < bytes.size()) {
    if (bytes.size() - at < kRecordOverhead) return corrupt + 1;  // torn tail
    uint32_t length = get_u32(bytes, at);
    uint32_t checksum = get_u32(bytes, at + 4);
    if (length > kMaxRecordBytes || length > bytes.size() - at - kRecordOverhead) {
      return corrupt + 1;  // torn tail or a length we can't trust
    }
    std::string_view payload = bytes.substr(at + kRecordOverhead, length);
    if (crc32(payload) != checksum || !visit(static_cast<uint32_t>(at), payload)) ++corrupt;
    at += kRecordOverhead + length;
  }
  return corrupt;
}

}  // namespace

struct EventQueue::Impl {
  // What memory keeps of a queued event: ~100 bytes instead of the ~1 KB
  // event, so 100k queued events cost ~10 MB of index beside their files.
  struct Entry {
    std::string id;
    const std::string* name;  // interned in `names`
    uint64_t segment;
    uint32_t offset;  // where its record starts in the segment's .log
    uint32_t length;  // its record's payload length
    uint32_t size;    // event_size() of the event
    uint32_t attempts;
    int64_t created_ms;
  };
  struct Segment {
    uint64_t log_bytes = 0;
    uint64_t settle_bytes = 0;
    size_t live = 0;
    bool readable = true;
    uint8_t version = kFormatVersion;  // of its .log
  };

  std::map<uint64_t, Entry> order;  // queue order → entry
  // id → queue keys; the views point into the entries' ids (map nodes never move).
  std::multimap<std::string_view, uint64_t> by_id;
  std::set<std::string, std::less<>> names;  // event names are few: kept once
  std::map<uint64_t, Segment> segments;
  std::vector<std::string> unreadable_names;
  uint64_t next_order = 0;
  uint64_t next_segment = 1;
  bool has_tail = false;
  uint64_t tail = 0;
  uint64_t disk_bytes = 0;
  uint64_t unreadable_bytes = 0;

  void clear() { *this = Impl(); }

  const std::string* intern(const std::string& name) { return &*names.insert(name).first; }

  void insert(const EventFields& f, uint32_t attempts, uint64_t segment, uint32_t offset,
              uint32_t length) {
    uint64_t key = next_order++;
    auto size = f.id.size() + f.name.size() + f.headers.size() + f.payload.size();  // event_size()
    Entry entry{std::string(f.id),
                intern(std::string(f.name)),
                segment,
                offset,
                length,
                static_cast<uint32_t>(size),
                attempts,
                f.created_ms};
    auto placed = order.emplace(key, std::move(entry)).first;
    by_id.emplace(std::string_view(placed->second.id), key);
  }

  void forget(uint64_t key) {
    auto it = order.find(key);
    if (it == order.end()) return;
    auto range = by_id.equal_range(std::string_view(it->second.id));
    for (auto i = range.first; i != range.second; ++i) {
      if (i->second == key) {
        by_id.erase(i);
        break;
      }
    }
    order.erase(it);
  }

  // Reads an entry's event back from its segment; false if the record is
  // gone or damaged.
  bool load(FileStore& store, const TokenKeeper& tokens, const Entry& entry, Event& out) const {
    std::string record;
    if (!store.read_range(segment_name(entry.segment, "log"), entry.offset,
                          kRecordOverhead + entry.length, record)) {
      return false;
    }
    if (get_u32(record, 0) != entry.length) return false;
    std::string_view payload(record.data() + kRecordOverhead, entry.length);
    if (crc32(payload) != get_u32(record, 4) || !parse_event(payload, tokens, out)) return false;
    out.attempts = entry.attempts;
    return true;
  }
  // The event as the store has it or, if its record can't be read, as far as
  // memory knows it (no headers, no payload): for removals, which must go on.
  Event load_or_index(FileStore& store, const TokenKeeper& tokens, const Entry& entry) const {
    Event event;
    if (!load(store, tokens, entry, event)) {
      event = Event{entry.id, *entry.name, "", "", entry.created_ms, entry.attempts};
    }
    return event;
  }
};

EventQueue::EventQueue(FileStore& store, QueueLimits limits, TokenKeeper& tokens)
    : store_(store), limits_(limits), tokens_(tokens), impl_(std::make_unique<Impl>()) {}

EventQueue::~EventQueue() = default;

bool EventQueue::owns_file(const std::string& name) {
  uint64_t seq;
  bool is_log;
  return parse_segment_name(name, seq, is_log);
}

RestoreReport EventQueue::restore(int64_t now_ms) {
  impl_->clear();
  RestoreReport report;
  std::map<uint64_t, std::pair<bool, bool>> found;  // seq → (has log, has settle)
  for (const auto& name : store_.list()) {
    uint64_t seq;
    bool is_log;
    if (!parse_segment_name(name, seq, is_log)) continue;
    (is_log ? found[seq].first : found[seq].second) = true;
    impl_->next_segment = std::max(impl_->next_segment, seq + 1);
  }
  std::string log, settle;  // reused: one segment's files at a time
  for (const auto& found_segment : found) {
    // Named copies: lambdas below can't capture structured bindings in C++17.
    const uint64_t seq = found_segment.first;
    const auto present = found_segment.second;
    Impl::Segment segment;
    log.clear();
    settle.clear();
    bool log_ok = present.first && store_.read(segment_name(seq, "log"), log);
    bool settle_ok = present.second && store_.read(segment_name(seq, "ack"), settle);
    if (present.first && log_ok) segment.version = readable_version(log, kKindLog);
    if (present.first && (!log_ok || segment.version == 0)) {
      ++report.unreadable_files;
      segment.readable = false;
      report.left_alone.push_back(segment_name(seq, "log"));
      // Its settlements mean nothing without it: they stay with it.
      if (present.second) report.left_alone.push_back(segment_name(seq, "ack"));
    }
    if (present.second && settle_ok && readable_version(settle, kKindSettle) == 0) {
      ++report.unreadable_files;  // events come back unsettled: duplicates at worst
      settle_ok = false;
      if (segment.readable) report.left_alone.push_back(segment_name(seq, "ack"));
    }
    segment.log_bytes = log.size();
    segment.settle_bytes = settle.size();
    impl_->disk_bytes += log.size() + settle.size();
    if (!segment.readable) {
      impl_->unreadable_bytes += log.size();
      impl_->segments.emplace(seq, segment);
      continue;
    }
    std::set<uint32_t> removed;
    std::map<uint32_t, uint32_t> attempts;
    if (settle_ok) {
      report.corrupt_records += read_records(settle, [&](uint32_t, std::string_view p) {
        if (p.size() != 5) return false;
        uint8_t type = static_cast<uint8_t>(p[0]);
        uint32_t offset = get_u32(p, 1);
        if (type == kRemovedRecord) {
          removed.insert(offset);
        } else if (type == kAttemptRecord) {
          ++attempts[offset];
        } else {
          return false;
        }
        return true;
      });
    }
    report.corrupt_records += read_records(log, [&](uint32_t offset, std::string_view p) {
      EventFields f;
      if (!parse_event_fields(p, f)) return false;
      if (removed.count(offset)) return true;
      auto a = attempts.find(offset);
      ++segment.live;
      impl_->insert(f, a != attempts.end() ? a->second : 0, seq, offset,
                    static_cast<uint32_t>(p.size()));
      return true;
    });
    impl_->segments.emplace(seq, segment);
    if (segment.live == 0) {
      // Fully settled (or empty): compact it away.
      store_.remove(segment_name(seq, "log"));
      store_.remove(segment_name(seq, "ack"));
      impl_->disk_bytes -= segment.log_bytes + segment.settle_bytes;
      impl_->segments.erase(seq);
    }
  }
  report.restored = impl_->order.size();
  for (auto& e : expire(now_ms)) report.expired_names.push_back(std::move(e.name));
  report.restored = impl_->order.size();
  return report;
}

// Writes the live events at `keys` (every one of segment `old_seq`, in queue
// order) as a new segment in the current format, with their attempt counts,
// then deletes the old segment's files. False, with the old segment kept as
// it was, if a record can't be read or the store refuses a step.
static bool rewrite_segment(FileStore& store, TokenKeeper& tokens, EventQueue::Impl& impl,
                            uint64_t old_seq, const std::vector<uint64_t>& keys) {
  struct Moved {
    EventQueue::Impl::Entry* entry;
    uint32_t offset;
    uint32_t length;
  };
  std::vector<Moved> moved;
  std::string log = header(kKindLog);
  std::string settle;
  for (uint64_t key : keys) {
    EventQueue::Impl::Entry& entry = impl.order.at(key);
    Event event;
    if (!impl.load(store, tokens, entry, event)) return false;
    std::string payload = event_payload(event, tokens);
    uint32_t offset = static_cast<uint32_t>(log.size());
    log += record(payload);
    moved.push_back({&entry, offset, static_cast<uint32_t>(payload.size())});
    for (uint32_t i = 0; i < entry.attempts; ++i) {
      settle += record(settle_payload(kAttemptRecord, offset));
    }
  }
  if (!settle.empty()) settle = header(kKindSettle) + settle;
  uint64_t seq = impl.next_segment++;
  const std::string log_name = segment_name(seq, "log");
  const std::string settle_name = segment_name(seq, "ack");
  bool written = store.write(log_name, log) && (settle.empty() || store.write(settle_name, settle));
  // The new copy is complete before the old one goes; if the old one can't
  // go, the new one goes instead, so no event is restored twice.
  if (!written || !store.remove(segment_name(old_seq, "log"))) {
    store.remove(log_name);
    if (!settle.empty()) store.remove(settle_name);
    return false;
  }
  auto old = impl.segments.find(old_seq);
  // A settle log left behind without its log is compacted away on restore.
  if (old->second.settle_bytes > 0) store.remove(segment_name(old_seq, "ack"));
  impl.disk_bytes -= old->second.log_bytes + old->second.settle_bytes;
  impl.segments.erase(old);
  for (const Moved& m : moved) {
    m.entry->segment = seq;
    m.entry->offset = m.offset;
    m.entry->length = m.length;
  }
  EventQueue::Impl::Segment segment;
  segment.log_bytes = log.size();
  segment.settle_bytes = settle.size();
  segment.live = moved.size();
  impl.segments.emplace(seq, segment);
  impl.disk_bytes += log.size() + settle.size();
  return true;
}

size_t EventQueue::rewrite_earlier_formats() {
  std::map<uint64_t, std::vector<uint64_t>> keys_by_segment;  // in queue order
  for (const auto& [key, entry] : impl_->order) {
    auto segment = impl_->segments.find(entry.segment);
    if (segment != impl_->segments.end() && segment->second.version < kFormatVersion) {
      keys_by_segment[entry.segment].push_back(key);
    }
  }
  size_t rewritten = 0;
  for (const auto& [seq, keys] : keys_by_segment) {
    if (rewrite_segment(store_, tokens_, *impl_, seq, keys)) ++rewritten;
  }
  return rewritten;
}

AppendResult EventQueue::append(const Event& event) {
  std::string payload = event_payload(event, tokens_);
  std::string bytes = record(payload);
  auto tail = impl_->segments.find(impl_->tail);
  bool rotate = !impl_->has_tail || tail == impl_->segments.end() ||
                tail->second.log_bytes + bytes.size() > limits_.segment_bytes;
  uint64_t seq = rotate ? impl_->next_segment : impl_->tail;
  if (rotate) bytes = header(kKindLog) + bytes;
  if (impl_->disk_bytes + bytes.size() > limits_.max_disk_bytes) return AppendResult::kFull;
  if (!store_.append(segment_name(seq, "log"), bytes)) {
    // Whatever part was written is unreadable garbage (length + CRC); start a
    // fresh segment so the next event isn't glued to it.
    impl_->has_tail = false;
    if (rotate) {
      impl_->next_segment = seq + 1;
      store_.remove(segment_name(seq, "log"));
    }
    return AppendResult::kStorageError;
  }
  if (rotate) {
    impl_->next_segment = seq + 1;
    impl_->tail = seq;
    impl_->has_tail = true;
    impl_->segments.emplace(seq, Impl::Segment());
  }
  Impl::Segment& segment = impl_->segments[seq];
  uint32_t offset = static_cast<uint32_t>(rotate ? kHeaderBytes : segment.log_bytes);
  segment.log_bytes += bytes.size();
  ++segment.live;
  impl_->disk_bytes += bytes.size();
  EventFields f{event.id, event.name, event.headers, event.payload, event.created_ms};
  impl_->insert(f, 0, seq, offset, static_cast<uint32_t>(payload.size()));
  return AppendResult::kStored;
}

// Appends settle records of `type` for the events at `keys`, one write per
// settle log; with kRemovedRecord also drops them from memory and compacts
// segments left with nothing live. Returns the keys settled.
static std::vector<uint64_t> settle_keys(FileStore& store, EventQueue::Impl& impl,
                                         const std::vector<uint64_t>& keys, uint8_t type) {
  std::map<uint64_t, std::string> by_segment;
  std::vector<uint64_t> settled;
  for (uint64_t key : keys) {
    auto it = impl.order.find(key);
    if (it == impl.order.end()) continue;
    by_segment[it->second.segment] += record(settle_payload(type, it->second.offset));
  }
  for (auto& [seq, bytes] : by_segment) {
    auto segment = impl.segments.find(seq);
    if (segment == impl.segments.end()) continue;
    if (segment->second.settle_bytes == 0) bytes = header(kKindSettle) + bytes;
    // A failed write only risks a duplicate after a reload: the event
    // is settled in memory either way.
    if (store.append(segment_name(seq, "ack"), bytes)) {
      segment->second.settle_bytes += bytes.size();
      impl.disk_bytes += bytes.size();
    }
  }
  for (uint64_t key : keys) {
    auto it = impl.order.find(key);
    if (it == impl.order.end()) continue;
    settled.push_back(key);
    if (type == kAttemptRecord) {
      ++it->second.attempts;
      continue;
    }
    uint64_t seq = it->second.segment;
    impl.forget(key);
    auto segment = impl.segments.find(seq);
    if (segment == impl.segments.end()) continue;
    if (--segment->second.live == 0) {
      store.remove(segment_name(seq, "log"));
      store.remove(segment_name(seq, "ack"));
      impl.disk_bytes -= segment->second.log_bytes + segment->second.settle_bytes;
      if (impl.has_tail && impl.tail == seq) impl.has_tail = false;
      impl.segments.erase(segment);
    }
  }
  return settled;
}

// Removes the events at `keys` and returns them as far as the store still
// has them (an unreadable one comes back with its id and name only).
static std::vector<Event> remove_keys(FileStore& store, const TokenKeeper& tokens,
                                      EventQueue::Impl& impl, const std::vector<uint64_t>& keys) {
  std::vector<Event> removed;
  for (uint64_t key : keys) {
    auto it = impl.order.find(key);
    if (it == impl.order.end()) continue;
    removed.push_back(impl.load_or_index(store, tokens, it->second));
  }
  settle_keys(store, impl, keys, kRemovedRecord);
  return removed;
}

std::vector<Event> EventQueue::peek(size_t max_count, size_t max_bytes,
                                    const std::function<bool(const std::string&)>& skip) const {
  std::vector<Event> out;
  std::vector<uint64_t> unreadable;
  size_t bytes = 0;
  for (const auto& [key, entry] : impl_->order) {
    if (out.size() >= max_count) break;
    if (skip && skip(entry.id)) continue;
    if (!out.empty() && bytes + entry.size > max_bytes) break;
    Event event;
    if (!impl_->load(store_, tokens_, entry, event)) {
      unreadable.push_back(key);
      continue;
    }
    bytes += entry.size;
    out.push_back(std::move(event));
  }
  // A record that can't be read back would otherwise sit at the head forever.
  for (uint64_t key : unreadable) impl_->unreadable_names.push_back(*impl_->order.at(key).name);
  if (!unreadable.empty()) settle_keys(store_, *impl_, unreadable, kRemovedRecord);
  return out;
}

std::vector<std::string> EventQueue::take_unreadable_names() {
  return std::exchange(impl_->unreadable_names, {});
}

static std::vector<uint64_t> keys_of(const EventQueue::Impl& impl,
                                     const std::vector<std::string>& ids) {
  std::vector<uint64_t> keys;
  for (const auto& id : ids) {
    auto range = impl.by_id.equal_range(std::string_view(id));
    for (auto i = range.first; i != range.second; ++i) keys.push_back(i->second);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

size_t EventQueue::remove(const std::vector<std::string>& ids) {
  return settle_keys(store_, *impl_, keys_of(*impl_, ids), kRemovedRecord).size();
}

std::vector<uint32_t> EventQueue::record_attempt(const std::vector<std::string>& ids) {
  settle_keys(store_, *impl_, keys_of(*impl_, ids), kAttemptRecord);
  std::vector<uint32_t> counts;
  for (const auto& id : ids) {
    auto found = impl_->by_id.find(std::string_view(id));
    counts.push_back(found == impl_->by_id.end() ? 0 : impl_->order.at(found->second).attempts);
  }
  return counts;
}

std::vector<Event> EventQueue::remove_if(const std::function<bool(const Event&)>& predicate) {
  std::vector<uint64_t> keys;
  std::vector<Event> removed;
  for (const auto& [key, entry] : impl_->order) {
    Event event = impl_->load_or_index(store_, tokens_, entry);
    if (!predicate(event)) continue;
    keys.push_back(key);
    removed.push_back(std::move(event));
  }
  settle_keys(store_, *impl_, keys, kRemovedRecord);
  return removed;
}

std::vector<Event> EventQueue::expire(int64_t now_ms) {
  if (limits_.ttl_ms <= 0) return {};
  int64_t cutoff = now_ms - limits_.ttl_ms;
  std::vector<uint64_t> keys;
  // Oldest first: stop at the first event still young enough.
  for (const auto& [key, entry] : impl_->order) {
    if (entry.created_ms >= cutoff) break;
    keys.push_back(key);
  }
  return remove_keys(store_, tokens_, *impl_, keys);
}

size_t EventQueue::size() const { return impl_->order.size(); }
uint64_t EventQueue::disk_bytes() const { return impl_->disk_bytes; }
bool EventQueue::contains(const std::string& id) const {
  return impl_->by_id.count(std::string_view(id)) > 0;
}
int64_t EventQueue::oldest_created_ms(const std::function<bool(const std::string&)>& skip) const {
  for (const auto& [key, entry] : impl_->order) {
    if (!skip || !skip(entry.id)) return entry.created_ms;
  }
  return -1;
}

}  // namespace tep
