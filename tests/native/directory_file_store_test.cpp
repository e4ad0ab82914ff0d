#include "directory_file_store.h"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace {

/// A fresh folder under the system's temporary folder, removed with its files afterwards.
struct TemporaryFolder {
  TemporaryFolder() {
    std::string pattern = "/tmp/tep-directory-store-XXXXXX";
    path = mkdtemp(pattern.data()) ? pattern : "";
    REQUIRE_FALSE(path.empty());
  }
  ~TemporaryFolder() {
    tep::DirectoryFileStore store(path);
    for (const auto& name : store.list()) store.remove(name);
    rmdir(path.c_str());
  }
  std::string path;
};

std::vector<std::string> sorted(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("Appends create a file and add to its end, and reads return every byte") {
  TemporaryFolder folder;
  tep::DirectoryFileStore store(folder.path);
  REQUIRE(store.append("seg-1.log", std::string("ab\0c", 4)));
  REQUIRE(store.append("seg-1.log", "def"));
  std::string out;
  REQUIRE(store.read("seg-1.log", out));
  CHECK(out == std::string("ab\0cdef", 7));
  CHECK(store.list() == std::vector<std::string>{"seg-1.log"});
}

TEST_CASE("A range read returns exactly the bytes asked for, and refuses to read past the end") {
  TemporaryFolder folder;
  tep::DirectoryFileStore store(folder.path);
  REQUIRE(store.append("seg-1.log", "0123456789"));
  std::string out;
  REQUIRE(store.read_range("seg-1.log", 3, 4, out));
  CHECK(out == "3456");
  CHECK_FALSE(store.read_range("seg-1.log", 8, 3, out));
  CHECK_FALSE(store.read_range("missing.log", 0, 1, out));
}

TEST_CASE("A write replaces the whole file and leaves no temporary file behind") {
  TemporaryFolder folder;
  tep::DirectoryFileStore store(folder.path);
  REQUIRE(store.write("counters.json", "a long first content"));
  REQUIRE(store.write("counters.json", "short"));
  std::string out;
  REQUIRE(store.read("counters.json", out));
  CHECK(out == "short");
  CHECK(store.list() == std::vector<std::string>{"counters.json"});
}

TEST_CASE("A write interrupted before its rename is not listed as a file of the queue") {
  TemporaryFolder folder;
  tep::DirectoryFileStore store(folder.path);
  REQUIRE(store.append("seg-1.log", "x"));
  REQUIRE(store.append("counters.json.tmp", "half written"));
  CHECK(store.list() == std::vector<std::string>{"seg-1.log"});
}

TEST_CASE("Removing a file deletes it, and removing a missing file succeeds") {
  TemporaryFolder folder;
  tep::DirectoryFileStore store(folder.path);
  REQUIRE(store.append("seg-1.log", "x"));
  REQUIRE(store.append("seg-2.log", "y"));
  REQUIRE(store.remove("seg-1.log"));
  CHECK(store.remove("seg-1.log"));
  CHECK(sorted(store.list()) == std::vector<std::string>{"seg-2.log"});
  std::string out;
  CHECK_FALSE(store.read("seg-1.log", out));
}

TEST_CASE("A folder that does not exist lists nothing and refuses writes") {
  tep::DirectoryFileStore store("/tmp/tep-directory-store-that-does-not-exist");
  CHECK(store.list().empty());
  CHECK_FALSE(store.append("seg-1.log", "x"));
  CHECK_FALSE(store.write("counters.json", "{}"));
}
