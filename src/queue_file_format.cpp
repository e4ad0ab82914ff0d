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
#include "queue_file_format.h"

#include <algorithm>
#include <tuple>

#include "record_checksum.h"
#include "stored_headers.h"

namespace tep {
namespace {

constexpr char kMagic[4] = {'T', 'E', 'P', 'Q'};
constexpr uint8_t kEarliestReadableVersion = 1;
constexpr uint8_t kEventWithTokenRecord = 1;  // version 1
constexpr uint8_t kEventRecord = 4;
constexpr size_t kFingerprintBytes = std::tuple_size<TokenFingerprint>::value;
constexpr size_t kU32Bytes = 4;
constexpr size_t kI64Bytes = 8;
constexpr size_t kSettlePayloadBytes = 1 + kU32Bytes;  // type, offset
// Events are under 20 KiB (the spec's limit); anything much larger is damage.
constexpr uint32_t kMaxRecordBytes = 64 * 1024;

// "seg-" + 16 digits + "." + 3 letters
constexpr std::string_view kSegmentPrefix = "seg-";
constexpr size_t kSequenceDigits = 16;
constexpr size_t kSegmentNameBytes = 4 + kSequenceDigits + 1 + 3;

void put_u32(std::string& out, uint32_t value) {
  for (unsigned i = 0; i < kU32Bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xFF);
}

void put_string(std::string& out, std::string_view text) {
  put_u32(out, static_cast<uint32_t>(text.size()));
  out += text;
}

uint32_t get_u32(std::string_view bytes, size_t at) {
  uint32_t value = 0;
  for (unsigned i = 0; i < kU32Bytes; ++i) {
    value |= uint32_t{static_cast<unsigned char>(bytes[at + i])} << (8 * i);
  }
  return value;
}

std::string_view extension_of(QueueFileKind kind) {
  return kind == QueueFileKind::kLog ? "log" : "ack";
}

}  // namespace

std::string segment_file_name(uint64_t sequence, QueueFileKind kind) {
  // Formatted by hand: snprintf would pull ~8 KB of printf into the wasm.
  std::string name(kSegmentPrefix);
  name.append(kSequenceDigits, '0');
  for (size_t i = name.size(); sequence > 0 && i > kSegmentPrefix.size(); sequence /= 10) {
    name[--i] = static_cast<char>('0' + sequence % 10);
  }
  name += '.';
  name += extension_of(kind);
  return name;
}

bool parse_segment_file_name(std::string_view name, uint64_t& sequence, QueueFileKind& kind) {
  if (name.size() != kSegmentNameBytes || name.substr(0, kSegmentPrefix.size()) != kSegmentPrefix ||
      name[kSegmentPrefix.size() + kSequenceDigits] != '.') {
    return false;
  }
  std::string_view extension = name.substr(kSegmentPrefix.size() + kSequenceDigits + 1);
  if (extension == extension_of(QueueFileKind::kLog)) {
    kind = QueueFileKind::kLog;
  } else if (extension == extension_of(QueueFileKind::kSettle)) {
    kind = QueueFileKind::kSettle;
  } else {
    return false;
  }
  uint64_t value = 0;
  for (char digit : name.substr(kSegmentPrefix.size(), kSequenceDigits)) {
    if (digit < '0' || digit > '9') return false;
    value = value * 10 + static_cast<uint64_t>(digit - '0');
  }
  sequence = value;
  return true;
}

std::string queue_file_header(QueueFileKind kind) {
  std::string header(kMagic, sizeof kMagic);
  header += static_cast<char>(kQueueFormatVersion);
  header += static_cast<char>(kind);
  header.resize(kQueueFileHeaderBytes, '\0');
  return header;
}

uint8_t readable_format_version(std::string_view file, QueueFileKind kind) {
  if (file.size() < kQueueFileHeaderBytes ||
      file.substr(0, sizeof kMagic) != std::string_view(kMagic, sizeof kMagic) ||
      static_cast<uint8_t>(file[5]) != static_cast<uint8_t>(kind)) {
    return 0;
  }
  auto version = static_cast<uint8_t>(file[4]);
  return version >= kEarliestReadableVersion && version <= kQueueFormatVersion ? version : 0;
}

std::string framed_record(std::string_view payload) {
  std::string out;
  out.reserve(payload.size() + kRecordFrameBytes);
  put_u32(out, static_cast<uint32_t>(payload.size()));
  put_u32(out, crc32(payload));
  out += payload;
  return out;
}

FileRecords read_file_records(std::string_view file) {
  FileRecords records;
  size_t at = kQueueFileHeaderBytes;
  while (at < file.size()) {
    if (file.size() - at < kRecordFrameBytes) {
      ++records.damaged;  // torn tail
      break;
    }
    uint32_t length = get_u32(file, at);
    uint32_t checksum = get_u32(file, at + kU32Bytes);
    if (length > kMaxRecordBytes || length > file.size() - at - kRecordFrameBytes) {
      ++records.damaged;  // torn tail or a length we can't trust
      break;
    }
    std::string_view payload = file.substr(at + kRecordFrameBytes, length);
    if (crc32(payload) == checksum) {
      records.intact.push_back({static_cast<uint32_t>(at), payload});
    } else {
      ++records.damaged;
    }
    at += kRecordFrameBytes + length;
  }
  return records;
}

bool read_framed_payload(std::string_view bytes, uint32_t payload_length,
                         std::string_view& payload) {
  if (bytes.size() != kRecordFrameBytes + payload_length || get_u32(bytes, 0) != payload_length) {
    return false;
  }
  std::string_view candidate = bytes.substr(kRecordFrameBytes);
  if (crc32(candidate) != get_u32(bytes, kU32Bytes)) return false;
  payload = candidate;
  return true;
}

std::string event_record_payload(const Event& event, TokenKeeper& tokens) {
  StoredHeaders headers =
      event.token_withheld() ? stored_form_of_withheld(event) : strip_token(event.headers, tokens);
  std::string payload;
  // The type, the four strings with their lengths, created_ms and the token's slot.
  payload.reserve(1 + 4 * kU32Bytes + event.id.size() + event.name.size() + headers.text.size() +
                  event.payload.size() + kI64Bytes + kU32Bytes + kFingerprintBytes);
  payload += static_cast<char>(kEventRecord);
  put_string(payload, event.id);
  put_string(payload, event.name);
  put_string(payload, headers.text);
  put_string(payload, event.payload);
  auto created = static_cast<uint64_t>(event.created_ms);
  put_u32(payload, static_cast<uint32_t>(created & 0xFFFFFFFFu));
  put_u32(payload, static_cast<uint32_t>(created >> 32));
  put_u32(payload, headers.token_at);
  payload.append(reinterpret_cast<const char*>(headers.fingerprint.data()), kFingerprintBytes);
  return payload;
}

bool parse_event_record(std::string_view payload, StoredEventFields& fields) {
  if (payload.empty()) return false;
  auto type = static_cast<uint8_t>(payload[0]);
  if (type != kEventRecord && type != kEventWithTokenRecord) return false;
  size_t at = 1;
  for (std::string_view* field : {&fields.id, &fields.name, &fields.headers, &fields.payload}) {
    if (kU32Bytes > payload.size() - at) return false;
    uint32_t length = get_u32(payload, at);
    at += kU32Bytes;
    if (length > payload.size() - at) return false;
    *field = payload.substr(at, length);
    at += length;
  }
  size_t token_bytes = type == kEventRecord ? kU32Bytes + kFingerprintBytes : 0;
  if (at + kI64Bytes + token_bytes != payload.size()) return false;
  uint64_t created =
      uint64_t{get_u32(payload, at)} | (uint64_t{get_u32(payload, at + kU32Bytes)} << 32);
  // A damaged or foreign record may say anything: kept within the times a
  // host can have, any sum of it with a delay or a TTL stays within int64.
  fields.created_ms = std::clamp(static_cast<int64_t>(created), int64_t{0}, kLatestHostTimeMs);
  at += kI64Bytes;
  if (type == kEventRecord) {
    fields.token_at = get_u32(payload, at);
    if (fields.token_at != 0 && !is_token_slot(fields.headers, fields.token_at)) return false;
    std::copy_n(payload.data() + at + kU32Bytes, kFingerprintBytes, fields.fingerprint.begin());
  }
  return true;
}

bool read_event_record(std::string_view payload, const TokenKeeper& tokens, Event& event) {
  StoredEventFields fields;
  if (!parse_event_record(payload, fields)) return false;
  event.id.assign(fields.id);
  event.name.assign(fields.name);
  event.headers = headers_to_send(fields.headers, fields.token_at, fields.fingerprint, tokens);
  event.payload.assign(fields.payload);
  event.created_ms = fields.created_ms;
  event.attempts = 0;
  if (fields.token_at != 0 && tokens.find(fields.fingerprint) == nullptr) {
    event.withheld_token_at = fields.token_at;
    event.withheld_token_fingerprint = fields.fingerprint;
  }
  return true;
}

std::string settle_record_payload(Settlement settlement, uint32_t offset) {
  std::string payload(1, static_cast<char>(settlement));
  put_u32(payload, offset);
  return payload;
}

bool parse_settle_record(std::string_view payload, Settlement& settlement, uint32_t& offset) {
  if (payload.size() != kSettlePayloadBytes) return false;
  auto type = static_cast<uint8_t>(payload[0]);
  if (type != static_cast<uint8_t>(Settlement::kRemoved) &&
      type != static_cast<uint8_t>(Settlement::kAttempt)) {
    return false;
  }
  settlement = static_cast<Settlement>(type);
  offset = get_u32(payload, 1);
  return true;
}

}  // namespace tep
