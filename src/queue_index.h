// What memory keeps of the queue: an index entry per queued event (id, name,
// created time, attempts, where its record is) and the state of each segment
// file. Event bodies stay in the files and are read back through the index.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "consent.h"
#include "event.h"
#include "file_store.h"
#include "queue_file_format.h"
#include "token_keeper.h"

namespace tep {

struct QueueIndex {
  /// What memory keeps of a queued event: ~100 bytes instead of the ~1 KB
  /// event, so 100k queued events cost ~10 MB of index beside their files.
  struct Entry {
    std::string id;
    const std::string* name;  ///< interned in `names`
    uint64_t segment;
    uint32_t offset;  ///< where its record starts in the segment's .log
    uint32_t length;  ///< its record's payload length
    uint32_t size;    ///< event_size() of the event
    uint32_t attempts;
    int64_t created_ms;
    /// From its headers, for the consent rule at every exit (consent.h).
    ConsentCategory category;
  };
  struct Segment {
    uint64_t log_bytes = 0;
    uint64_t settle_bytes = 0;
    size_t live = 0;  ///< events in it not yet settled as removed
    bool readable = true;
    uint8_t version = kQueueFormatVersion;  ///< of its .log
  };

  std::map<uint64_t, Entry> order;  ///< queue order → entry
  /// id → queue keys; the views point into the entries' ids (map nodes never move).
  std::multimap<std::string_view, uint64_t> by_id;
  std::set<std::string, std::less<>> names;   ///< event names are few: each kept once
  std::map<uint64_t, Segment> segments;       ///< by sequence number
  std::vector<std::string> unreadable_names;  ///< for EventQueue::take_unreadable_names
  uint64_t next_order = 0;
  uint64_t next_segment = 1;
  bool has_tail = false;  ///< whether `tail` is the segment new events are appended to
  uint64_t tail = 0;
  uint64_t disk_bytes = 0;
  /// Entries of each category, by ConsentCategory: what may be sent is
  /// counted without walking the queue.
  std::array<size_t, kConsentCategoryCount> count_by_category{};

  /// Indexes the event whose record `fields` were read from, or written to,
  /// segment `segment` at `offset`, as the newest in the queue.
  void insert(const StoredEventFields& fields, uint32_t attempts, uint64_t segment, uint32_t offset,
              uint32_t length);
  /// Drops the entry at queue key `key` (none: nothing happens).
  void forget(uint64_t key);
  /// The queue keys of these ids, in queue order, each once; unknown ids are skipped.
  std::vector<uint64_t> keys_of(const std::vector<std::string>& ids) const;

  /// Reads an entry's event back from its segment in `store`, its token put
  /// back from `tokens`; false if the record is gone or damaged.
  static bool load(FileStore& store, const TokenKeeper& tokens, const Entry& entry, Event& out);
  /// The event as the store has it or, if its record can't be read, as far as
  /// memory knows it (no headers, no payload): for removals, which must go on.
  static Event load_or_index(FileStore& store, const TokenKeeper& tokens, const Entry& entry);
};

}  // namespace tep
