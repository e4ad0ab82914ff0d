// The queue's files on disk: their names, headers and records, and the event
// and settle records inside them. EventQueue decides what to write and when;
// this is how it is written and read back. The format, its versions and the
// recovery rules are described in queue_file_format.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "event.h"
#include "token_keeper.h"

namespace tep {

/// The version this release writes; it reads this one and earlier ones.
constexpr uint8_t kQueueFormatVersion = 2;

/// The two files of a segment.
enum class QueueFileKind : uint8_t {
  kLog = 1,     ///< seg-<n>.log: the events, appended in order
  kSettle = 2,  ///< seg-<n>.ack: settlements of those events, appended
};

/// Every queue file starts with a header of this size, then records.
constexpr size_t kQueueFileHeaderBytes = 8;
/// Each record is framed by its length and CRC-32.
constexpr size_t kRecordFrameBytes = 8;

/// What a settle record says of the event whose record starts at its offset.
enum class Settlement : uint8_t {
  kRemoved = 2,  ///< confirmed or dropped: not to be restored
  kAttempt = 3,  ///< one more inconclusive send
};

/// "seg-<16 digits>.log" or ".ack".
std::string segment_file_name(uint64_t sequence, QueueFileKind kind);
/// The sequence and kind of a segment file's name; false for other names.
bool parse_segment_file_name(std::string_view name, uint64_t& sequence, QueueFileKind& kind);

/// The header of a new file of `kind`, in the current version.
std::string queue_file_header(QueueFileKind kind);
/// The format version of `file` (a whole file of `kind`), or 0 if this
/// release can't read it (another magic, kind or version).
uint8_t readable_format_version(std::string_view file, QueueFileKind kind);

/// `payload` framed as a record: length u32 LE, CRC-32 u32 LE, payload.
std::string framed_record(std::string_view payload);

/// One intact record of a file: where its frame starts, and its payload.
struct FramedRecord {
  uint32_t offset = 0;
  std::string_view payload;  ///< a view into the file read
};
/// The records of a whole file after its header.
struct FileRecords {
  std::vector<FramedRecord> intact;  ///< in file order
  size_t damaged = 0;                ///< torn or failing their CRC, skipped
};
FileRecords read_file_records(std::string_view file);

/// The payload of the record framed in `bytes` (a frame read back on its
/// own), if its length is `payload_length` and its CRC matches.
bool read_framed_payload(std::string_view bytes, uint32_t payload_length,
                         std::string_view& payload);

/// The payload of the record that stores `event`: without its bearer token,
/// which `tokens` keeps (stored_headers.h).
std::string event_record_payload(const Event& event, TokenKeeper& tokens);

/// The fields of an event record, as views into its payload.
struct StoredEventFields {
  std::string_view id, name, headers, payload;
  int64_t created_ms = 0;
  uint32_t token_at = 0;  ///< 0: `headers` are as sent (no token, or a version-1 record)
  TokenFingerprint fingerprint{};
};
/// False if `payload` is not an event record of a readable version.
bool parse_event_record(std::string_view payload, StoredEventFields& fields);
/// The event as it is to be sent (attempts 0): its token put back if
/// `tokens` keeps it. False if `payload` is not an event record.
bool read_event_record(std::string_view payload, const TokenKeeper& tokens, Event& event);

/// The payload of a settle record for the event record at `offset`.
std::string settle_record_payload(Settlement settlement, uint32_t offset);
/// False if `payload` is not a settle record.
bool parse_settle_record(std::string_view payload, Settlement& settlement, uint32_t& offset);

}  // namespace tep
