#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <string>

#include "file_store.h"

namespace {

std::string temporary_folder() {
  char pattern[] = "/tmp/tep-store-XXXXXX";
  REQUIRE(mkdtemp(pattern) != nullptr);
  return pattern;
}

int64_t mtime_ms(const std::string& path) {
#ifdef __EMSCRIPTEN__
  // Emscripten's stat() reports whole seconds only; the worker's IDBFS reads
  // the MEMFS node's millisecond timestamp, so that is what this test reads.
  return static_cast<int64_t>(
      EM_ASM_DOUBLE({ return FS.stat(UTF8ToString($0)).mtime.getTime(); }, path.c_str()));
#else
  struct stat info {};
  REQUIRE(stat(path.c_str(), &info) == 0);
  return static_cast<int64_t>(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1000000;
#endif
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

TEST_CASE("Every write moves the file's modification time strictly forward") {
  // IndexedDB sync copies a file only when its millisecond mtime changed:
  // two writes in one millisecond must still look like two changes.
  std::string folder = temporary_folder();
  tep::PosixFileStore store(folder);
  REQUIRE(store.append("seg.log", "x"));
  int64_t previous = mtime_ms(folder + "/seg.log");
  for (int i = 0; i < 50; ++i) {
    REQUIRE(store.append("seg.log", "x"));
    int64_t now = mtime_ms(folder + "/seg.log");
    CHECK(now > previous);
    previous = now;
  }
}

TEST_CASE("A folder that can't be written reports failure instead of crashing") {
  tep::PosixFileStore store("/proc/definitely/not/here");
  CHECK_FALSE(store.append("a", "b"));
  CHECK_FALSE(store.write("a", "b"));
  std::string content;
  CHECK_FALSE(store.read("a", content));
  CHECK(store.list().empty());
}
