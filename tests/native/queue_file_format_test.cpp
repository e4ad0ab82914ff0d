#include "queue_file_format.h"

#include <catch2/catch.hpp>
#include <string>

#include "token_keeper.h"

using namespace tep;

TEST_CASE("Segment file names carry their sequence and kind, and nothing else parses as one") {
  CHECK(segment_file_name(7, QueueFileKind::kLog) == "seg-0000000000000007.log");
  CHECK(segment_file_name(1234567890123456, QueueFileKind::kSettle) == "seg-1234567890123456.ack");
  uint64_t sequence = 0;
  QueueFileKind kind{};
  REQUIRE(parse_segment_file_name("seg-0000000000000042.ack", sequence, kind));
  CHECK(sequence == 42);
  CHECK(kind == QueueFileKind::kSettle);
  for (const char* other : {"counters.json", "seg-000000000000042.log", "seg-0000000000000042.tmp",
                            "seg-00000000000000x2.log", "seg-0000000000000042log"}) {
    INFO(other);
    CHECK_FALSE(parse_segment_file_name(other, sequence, kind));
  }
}

TEST_CASE("A file's header names its kind and version; another kind or magic is unreadable") {
  std::string log = queue_file_header(QueueFileKind::kLog);
  CHECK(log.size() == kQueueFileHeaderBytes);
  CHECK(readable_format_version(log, QueueFileKind::kLog) == kQueueFormatVersion);
  CHECK(readable_format_version(log, QueueFileKind::kSettle) == 0);
  std::string later = log;
  later[4] = static_cast<char>(kQueueFormatVersion + 1);
  CHECK(readable_format_version(later, QueueFileKind::kLog) == 0);
  CHECK(readable_format_version("XXXX\x02\x01\0\0", QueueFileKind::kLog) == 0);
}

TEST_CASE("An event record reads back as the event, its token kept apart") {
  TokenKeeper tokens;
  Event event{"id-1",       "play",        R"({"client-id":"c","authorization":"secret","x":"1"})",
              R"({"n":1})", 1763000000123, 0};
  std::string payload = event_record_payload(event, tokens);
  CHECK(payload.find("secret") == std::string::npos);
  StoredEventFields fields;
  REQUIRE(parse_event_record(payload, fields));
  CHECK(fields.id == "id-1");
  CHECK(fields.created_ms == 1763000000123);
  CHECK(fields.token_at != 0);
  Event read;
  REQUIRE(read_event_record(payload, tokens, read));
  CHECK(read.headers == event.headers);
  CHECK(read.payload == event.payload);
  CHECK_FALSE(parse_event_record(payload.substr(0, payload.size() - 1), fields));
}

TEST_CASE(
    "Records are framed with a checksum: damaged ones are skipped, a torn tail ends the file") {
  std::string file = queue_file_header(QueueFileKind::kSettle);
  file += framed_record(settle_record_payload(Settlement::kRemoved, 8));
  size_t second = file.size();
  file += framed_record(settle_record_payload(Settlement::kAttempt, 30));
  file += framed_record(settle_record_payload(Settlement::kAttempt, 52));
  file[second + kRecordFrameBytes + 1] ^= 1;  // the second record's payload
  file += std::string("\x05\0\0", 3);         // the start of a frame, torn
  FileRecords records = read_file_records(file);
  REQUIRE(records.intact.size() == 2);
  CHECK(records.damaged == 2);
  Settlement settlement{};
  uint32_t offset = 0;
  REQUIRE(parse_settle_record(records.intact[1].payload, settlement, offset));
  CHECK(settlement == Settlement::kAttempt);
  CHECK(offset == 52);
  CHECK_FALSE(parse_settle_record("\x09\0\0\0\0", settlement, offset));
}

TEST_CASE("A frame read back alone must have the length and checksum the index expects") {
  std::string frame = framed_record("payload");
  std::string_view payload;
  REQUIRE(read_framed_payload(frame, 7, payload));
  CHECK(payload == "payload");
  CHECK_FALSE(read_framed_payload(frame, 6, payload));
  frame.back() ^= 1;
  CHECK_FALSE(read_framed_payload(frame, 7, payload));
}
