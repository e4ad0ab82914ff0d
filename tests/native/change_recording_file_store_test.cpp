#include "change_recording_file_store.h"

#include <catch2/catch.hpp>

#include "memory_file_store.h"

TEST_CASE("Every file appended to, written or removed is reported once, and then forgotten") {
  tep::MemoryFileStore files;
  tep::ChangeRecordingFileStore store(files);
  store.append("seg-2.log", "a");
  store.append("seg-2.log", "b");
  store.write("counters.json", "{}");
  store.remove("seg-1.log");
  CHECK(store.take_changed() ==
        std::vector<std::string>{"counters.json", "seg-1.log", "seg-2.log"});
  CHECK(store.take_changed().empty());
  CHECK(files.files.at("seg-2.log") == "ab");
}

TEST_CASE("Reads are not changes") {
  tep::MemoryFileStore files;
  files.files["seg-1.log"] = "abc";
  tep::ChangeRecordingFileStore store(files);
  std::string out;
  REQUIRE(store.read("seg-1.log", out));
  REQUIRE(store.read_range("seg-1.log", 1, 1, out));
  CHECK(store.list() == std::vector<std::string>{"seg-1.log"});
  CHECK(store.take_changed().empty());
}

TEST_CASE("A failed write is reported as a change, since it may have torn the file") {
  tep::MemoryFileStore files;
  files.tear_next_append_after = 1;
  tep::ChangeRecordingFileStore store(files);
  CHECK_FALSE(store.append("seg-1.log", "abc"));
  CHECK(store.take_changed() == std::vector<std::string>{"seg-1.log"});
}
