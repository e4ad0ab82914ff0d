// The persistent event queue.
//
// Work per append and per acknowledgement is bounded independently of the
// queue's depth: events are appended to small segment files, and
// acknowledgements are appended to a small log beside each segment; a segment
// whose events are all settled is deleted. Memory holds an index only (id,
// name, created time, attempts, where the record is); event bodies stay in
// the files and are read back when a batch is built. Bearer tokens are never
// written: an event is stored without its token, which the TokenKeeper holds
// in memory and which is put back when the event is read (token_keeper.h).
// The on-disk format, its version and its recovery rules are described in
// queue_file_format.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "consent.h"
#include "event.h"
#include "file_store.h"
#include "token_keeper.h"

namespace tep {

enum class Settlement : uint8_t;  // queue_file_format.h
struct QueueIndex;                // queue_index.h

// The fields named after a config field are set from the config, whose
// defaults producer_config.cpp defines.
struct QueueLimits {
  /// Cap on the bytes the queue may occupy on disk (the spec's
  /// maxDiskUsageBytes).
  uint64_t max_disk_bytes = 0;
  /// Events older than this are expired on restore and by expire(); 0 = never
  /// (eventTtlMs).
  int64_t ttl_ms = 0;
  /// Segment files rotate at this size. 32 KiB: ~40 typical events. Every
  /// IndexedDB sync writes the tail segment whole, so this bounds the bytes a
  /// sync writes (~16 KiB on average); and every file costs a record to
  /// read at start, so fewer, larger files load faster (10k events in
  /// Chromium, read one file per request: 16 KiB segments ~65 ms, 32 KiB
  /// ~42 ms, 64 KiB ~24 ms).
  uint64_t segment_bytes = uint64_t{32} * 1024;
};

enum class AppendResult {
  kStored,        ///< written to the store (durable after the next sync)
  kFull,          ///< would exceed max_disk_bytes: dropped (storingFailedEvents)
  kStorageError,  ///< the store refused the write: dropped (storingFailedEvents)
};

/// What restore() found on disk.
struct RestoreReport {
  size_t restored = 0;                     ///< intact, unacknowledged events now in the queue
  size_t corrupt_records = 0;              ///< torn or corrupt records skipped
  size_t unreadable_files = 0;             ///< files of an unknown format or version, left alone
  std::vector<std::string> expired_names;  ///< names of events dropped by the TTL
  /// Names of the queue's files restore did not read and left as they were:
  /// the unreadable files, and the settle log beside an unreadable log. Who
  /// deletes the folder must keep them (an adopter: Producer::adopt).
  std::vector<std::string> left_alone;
};

class EventQueue {
 public:
  /// `tokens` keeps the tokens cut out of the events stored, and gives them
  /// back to the events read; it must outlive the queue.
  EventQueue(FileStore& store, QueueLimits limits, TokenKeeper& tokens);
  ~EventQueue();
  EventQueue(const EventQueue&) = delete;
  EventQueue& operator=(const EventQueue&) = delete;

  /// True for the names of the queue's files (segments and their settle
  /// logs); the folder may hold other files, which the queue never touches.
  static bool owns_file(const std::string& name);

  /// Loads every intact, unacknowledged record from the store, oldest first.
  /// Replaces whatever the queue held in memory.
  RestoreReport restore(int64_t now_ms);

  /// Rewrites each segment restore() found in an earlier release's format,
  /// whose events still hold their token, in the current format, which holds
  /// none, then deletes its old files. Live events keep their place in the
  /// queue and their attempt counts; the tokens read on the way are kept in
  /// the TokenKeeper. A segment that can't be rewritten (the store refuses
  /// the write, or a record can no longer be read) stays as it is until the
  /// next restore. Returns how many segments were rewritten.
  size_t rewrite_earlier_formats();

  /// Appends one event (its `attempts` is ignored and starts at 0).
  AppendResult append(const Event& event);

  /// Up to `max_count` of the oldest events whose total event_size() fits
  /// `max_bytes` (the first is returned even if it alone is larger), skipping
  /// those whose id `skip` returns true for (e.g. already in flight). Events
  /// are read back from the store; one that can no longer be read is removed
  /// from the queue (so it can't sit at the head forever) and its name kept
  /// for take_unreadable_names(): hence not const.
  /// With `consent`, events of a category it doesn't allow are skipped too.
  std::vector<Event> peek(size_t max_count, size_t max_bytes,
                          const std::function<bool(const std::string& id)>& skip,
                          const ConsentState* consent = nullptr);

  /// The queued events of these ids, in queue order, skipping those `skip`
  /// picks, those of a category `consent` doesn't allow, unknown ids and
  /// records that can't be read back.
  std::vector<Event> read(const std::vector<std::string>& ids,
                          const std::function<bool(const std::string& id)>& skip,
                          const ConsentState& consent);

  /// Names of events dropped because their record could not be read back
  /// since the last call (storage damaged after restore); for the counters.
  std::vector<std::string> take_unreadable_names();

  /// Removes the events with these ids (confirmed or dropped). Unknown ids are
  /// ignored. Returns how many were removed.
  size_t remove(const std::vector<std::string>& ids);

  /// Counts one more inconclusive send for each of these ids; persisted, so
  /// poison events are isolated even across reloads. Returns the new counts.
  std::vector<uint32_t> record_attempt(const std::vector<std::string>& ids);

  /// Removes every event for which `predicate` is true (consent purge, feral
  /// event types, duplicates); returns the removed events. Reads every
  /// queued event from the store: for rare, whole-queue decisions.
  std::vector<Event> remove_if(const std::function<bool(const Event&)>& predicate);

  /// Removes every event `consent` purges (ConsentState::purges), reading
  /// none of them; returns their names, for the counters.
  std::vector<std::string> remove_purged(const ConsentState& consent);
  /// Removes every event that could never be sent: its headers carry no
  /// known consent category, or it is surely `max_event_bytes` or more (its
  /// fields alone are). A damaged record that still passed its checksum, or
  /// a foreign file. Returns their names, for the counters.
  std::vector<std::string> remove_malformed(size_t max_event_bytes);

  /// Removes events older than the TTL; returns them.
  std::vector<Event> expire(int64_t now_ms);

  size_t size() const;          ///< events in the queue
  uint64_t disk_bytes() const;  ///< bytes the queue's files occupy
  /// Bytes the queue may still take before new events are dropped.
  uint64_t free_disk_bytes() const;
  bool contains(const std::string& id) const;
  /// Events of `category` in the queue.
  size_t size_of(ConsentCategory category) const;
  /// host time of the oldest queued event whose id `skip` doesn't pick (all
  /// of them without `skip`) and whose category `consent` allows (any
  /// without `consent`), or -1
  int64_t oldest_created_ms(const std::function<bool(const std::string& id)>& skip = nullptr,
                            const ConsentState* consent = nullptr) const;

 private:
  bool rewrite_segment(uint64_t old_sequence, const std::vector<uint64_t>& keys);
  std::vector<uint64_t> settle_keys(const std::vector<uint64_t>& keys, Settlement settlement);
  std::vector<Event> remove_keys(const std::vector<uint64_t>& keys);
  /// Removes the events whose index entry `predicate` picks, reading none;
  /// returns their names.
  std::vector<std::string> remove_indexed_if(
      const std::function<bool(ConsentCategory category, int64_t created_ms, size_t size)>&
          predicate);

  FileStore& store_;
  QueueLimits limits_;
  TokenKeeper& tokens_;
  /// What memory keeps of the queued events and of the segment files.
  std::unique_ptr<QueueIndex> index_;
};

}  // namespace tep
