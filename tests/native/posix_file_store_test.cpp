#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

#include "file_store.h"

namespace {

std::string temporary_folder() {
  char pattern[] = "/tmp/tep-store-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  return pattern;
}

}  // namespace

TEST_CASE("Files can be listed, read, appended, replaced and removed") {
  tep::PosixFileStore store(temporary_folder());
  REQUIRE(store.append("a.log", "one"));
  REQUIRE(store.append("a.log", "two"));
  REQUIRE(store.write("b.json", "{}"));
  REQUIRE(store.write("b.json", "{\"x\":1}"));
  std::string content;
  REQUIRE(store.read("a.log", content));
  CHECK(content == "onetwo");
  REQUIRE(store.read("b.json", content));
  CHECK(content == "{\"x\":1}");
  auto names = store.list();
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"a.log", "b.json"});
  CHECK(store.remove("a.log"));
  CHECK(store.remove("a.log"));  // already gone counts as removed
  CHECK_FALSE(store.read("a.log", content));
}

TEST_CASE("A range of a file is read without the rest, and a range past its end is refused") {
  tep::PosixFileStore store(temporary_folder());
  REQUIRE(store.append("seg.log", "0123456789"));
  std::string part;
  REQUIRE(store.read_range("seg.log", 3, 4, part));
  CHECK(part == "3456");
  CHECK_FALSE(store.read_range("seg.log", 8, 4, part));
  CHECK_FALSE(store.read_range("missing.log", 0, 1, part));
}

TEST_CASE("A folder that can't be written reports failure instead of crashing") {
  tep::PosixFileStore store("/proc/definitely/not/here");
  CHECK_FALSE(store.append("a", "b"));
  CHECK_FALSE(store.write("a", "b"));
  std::string content;
  CHECK_FALSE(store.read("a", content));
  CHECK(store.list().empty());
}
