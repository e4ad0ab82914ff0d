#include "change_tracking_file_store.h"

#include <catch2/catch.hpp>

#include "event_queue.h"
#include "memory_file_store.h"

using tep::ChangeTrackingFileStore;
using tep::MemoryFileStore;

TEST_CASE("Appends, writes and removes are reported once each, then forgotten") {
  MemoryFileStore files;
  ChangeTrackingFileStore store(files);
  CHECK(store.append("b.log", "1"));
  CHECK(store.append("b.log", "2"));
  CHECK(store.write("a.json", "{}"));
  CHECK(store.remove("c.ack"));
  CHECK(store.take_changed() == std::vector<std::string>{"a.json", "b.log", "c.ack"});
  CHECK(store.take_changed().empty());
  std::string content;
  REQUIRE(store.read("b.log", content));
  CHECK(content == "12");  // every call reached the store underneath
}

TEST_CASE("Reads change nothing") {
  MemoryFileStore files;
  files.files["a.log"] = "abc";
  ChangeTrackingFileStore store(files);
  std::string content;
  CHECK(store.read("a.log", content));
  CHECK(store.read_range("a.log", 1, 2, content));
  CHECK(content == "bc");
  CHECK(store.list() == std::vector<std::string>{"a.log"});
  CHECK(store.take_changed().empty());
}

TEST_CASE("A failed write still counts as a change") {
  MemoryFileStore files;
  files.tear_next_append_after = 2;
  ChangeTrackingFileStore store(files);
  CHECK_FALSE(store.append("a.log", "abcdef"));
  CHECK(files.files["a.log"] == "ab");  // the torn part must reach IndexedDB as well
  CHECK(store.take_changed() == std::vector<std::string>{"a.log"});
}

TEST_CASE("Acknowledging events changes a few files whatever the queue's depth") {
  MemoryFileStore files;
  ChangeTrackingFileStore store(files);
  tep::EventQueue queue(store, {});
  for (int i = 0; i < 5000; ++i) {
    queue.append(tep::Event{"id-" + std::to_string(i), "play", "{}", std::string(400, 'x'), 0, 0});
  }
  store.take_changed();
  REQUIRE(files.files.size() > 50);
  queue.remove({"id-100", "id-101", "id-102"});
  CHECK(store.take_changed().size() == 1);  // one settle log
  queue.append(tep::Event{"id-new", "play", "{}", "{}", 0, 0});
  CHECK(store.take_changed().size() == 1);  // the tail segment
}
