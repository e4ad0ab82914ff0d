#include "queue_index.h"

#include <catch2/catch.hpp>
#include <string>

#include "memory_file_store.h"

using namespace tep;

namespace {

StoredEventFields fields_of(std::string_view id, std::string_view name) {
  StoredEventFields fields;
  fields.id = id;
  fields.name = name;
  fields.headers = "{}";
  fields.payload = "{}";
  fields.created_ms = 5;
  return fields;
}

}  // namespace

TEST_CASE("The index finds events by id in queue order and forgets them") {
  QueueIndex index;
  index.insert(fields_of("b", "play"), 0, 1, 8, 40);
  index.insert(fields_of("a", "play"), 2, 1, 56, 40);
  index.insert(fields_of("b", "play"), 0, 2, 8, 40);  // the same id twice: both are kept
  CHECK(index.keys_of({"b", "a", "unknown"}) == std::vector<uint64_t>{0, 1, 2});
  CHECK(index.names.size() == 1);  // one name, kept once
  CHECK(index.order.at(1).attempts == 2);
  CHECK(index.order.at(0).size == 1 + 4 + 2 + 2);
  index.forget(0);
  index.forget(7);  // unknown: nothing happens
  CHECK(index.keys_of({"b"}) == std::vector<uint64_t>{2});
}

TEST_CASE("An event whose record is gone comes back as far as the index knows it") {
  QueueIndex index;
  index.insert(fields_of("gone", "play"), 1, 3, 8, 40);
  MemoryFileStore store;
  TokenKeeper tokens;
  Event event;
  CHECK_FALSE(QueueIndex::load(store, tokens, index.order.at(0), event));
  Event known = QueueIndex::load_or_index(store, tokens, index.order.at(0));
  CHECK(known.id == "gone");
  CHECK(known.name == "play");
  CHECK(known.attempts == 1);
  CHECK(known.payload.empty());
}

TEST_CASE("An event is read back from its segment through the index") {
  TokenKeeper tokens;
  Event event{"id-1", "play", R"({"client-id":"c"})", R"({"n":1})", 9, 0};
  std::string payload = event_record_payload(event, tokens);
  MemoryFileStore store;
  REQUIRE(store.write(segment_file_name(1, QueueFileKind::kLog),
                      queue_file_header(QueueFileKind::kLog) + framed_record(payload)));
  StoredEventFields fields;
  REQUIRE(parse_event_record(payload, fields));
  QueueIndex index;
  index.insert(fields, 2, 1, kQueueFileHeaderBytes, static_cast<uint32_t>(payload.size()));
  Event read;
  REQUIRE(QueueIndex::load(store, tokens, index.order.at(0), read));
  CHECK(read.payload == event.payload);
  CHECK(read.attempts == 2);
}
