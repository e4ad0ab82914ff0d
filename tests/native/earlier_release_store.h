// A queue as releases before format version 2 stored it: event records of
// type 1 whose headers still hold the bearer token, in files of version 1
// (the layout event_queue.cpp describes under "Version 1").
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "event.h"
#include "record_checksum.h"

namespace tep {

class EarlierReleaseSegment {
 public:
  /// Appends `event`'s record; returns where it starts, for settle records.
  uint32_t add(const Event& event) {
    std::string payload(1, '\x01');
    for (const std::string* field : {&event.id, &event.name, &event.headers, &event.payload}) {
      put_u32(payload, static_cast<uint32_t>(field->size()));
      payload += *field;
    }
    uint64_t created = static_cast<uint64_t>(event.created_ms);
    put_u32(payload, static_cast<uint32_t>(created & 0xFFFFFFFFu));
    put_u32(payload, static_cast<uint32_t>(created >> 32));
    uint32_t offset = static_cast<uint32_t>(log_.size());
    log_ += record(payload);
    return offset;
  }
  /// Settles the event at `offset` as removed.
  void remove(uint32_t offset) { settle_ += record(settle_payload(2, offset)); }
  /// Counts one more attempt for the event at `offset`.
  void attempt(uint32_t offset) { settle_ += record(settle_payload(3, offset)); }

  /// Puts the segment's files, numbered `seq`, into `files`.
  void write_to(std::map<std::string, std::string>& files, uint64_t seq) const {
    std::string name = std::to_string(seq);
    name = "seg-" + std::string(16 - name.size(), '0') + name;
    files[name + ".log"] = log_;
    if (settle_.size() > kHeaderBytes) files[name + ".ack"] = settle_;
  }

 private:
  static constexpr size_t kHeaderBytes = 8;
  static void put_u32(std::string& out, uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
  }
  static std::string record(const std::string& payload) {
    std::string out;
    put_u32(out, static_cast<uint32_t>(payload.size()));
    put_u32(out, crc32(payload));
    return out + payload;
  }
  static std::string settle_payload(char type, uint32_t offset) {
    std::string payload(1, type);
    put_u32(payload, offset);
    return payload;
  }

  std::string log_ = std::string("TEPQ\x01\x01\0\0", kHeaderBytes);
  std::string settle_ = std::string("TEPQ\x01\x02\0\0", kHeaderBytes);
};

}  // namespace tep
