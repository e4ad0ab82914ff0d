#include <dirent.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <ctime>

#include "file_store.h"

namespace tep {

PosixFileStore::PosixFileStore(std::string folder) : folder_(std::move(folder)) {
  ::mkdir(folder_.c_str(), 0755);  // may exist already
}

std::string PosixFileStore::path(const std::string& name) const { return folder_ + "/" + name; }

std::vector<std::string> PosixFileStore::list() {
  std::vector<std::string> names;
  DIR* dir = ::opendir(folder_.c_str());
  if (!dir) return names;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    names.push_back(std::move(name));
  }
  ::closedir(dir);
  return names;
}

bool PosixFileStore::read(const std::string& name, std::string& out) {
  std::FILE* file = std::fopen(path(name).c_str(), "rb");
  if (!file) return false;
  out.clear();
  char buffer[16384];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.append(buffer, n);
  bool ok = !std::ferror(file);
  std::fclose(file);
  return ok;
}

bool PosixFileStore::read_range(const std::string& name, uint64_t offset, size_t length,
                                std::string& out) {
  std::FILE* file = std::fopen(path(name).c_str(), "rb");
  if (!file) return false;
  out.resize(length);
  bool ok = std::fseek(file, static_cast<long>(offset), SEEK_SET) == 0 &&
            std::fread(&out[0], 1, length, file) == length;
  std::fclose(file);
  return ok;
}

namespace {

// IDBFS decides what to copy to IndexedDB by comparing each file's mtime,
// in milliseconds, with the copy's. A second write within the millisecond
// in which a sync read the file would leave the mtime unchanged, and the
// write would never reach IndexedDB. Every write therefore stamps its file
// with a time that is strictly later than any stamp given before.
void stamp(const std::string& path) {
  static int64_t last_stamp_ms = 0;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  int64_t now_ms = static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
  last_stamp_ms = std::max(now_ms, last_stamp_ms + 1);
  timeval times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(last_stamp_ms / 1000);
  times[0].tv_usec = times[1].tv_usec = static_cast<suseconds_t>((last_stamp_ms % 1000) * 1000);
  ::utimes(path.c_str(), times);
}

bool write_all(const std::string& path, const char* mode, std::string_view bytes) {
  std::FILE* file = std::fopen(path.c_str(), mode);
  if (!file) return false;
  bool ok = std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  ok = std::fclose(file) == 0 && ok;
  return ok;
}

}  // namespace

bool PosixFileStore::append(const std::string& name, std::string_view bytes) {
  if (!write_all(path(name), "ab", bytes)) return false;
  stamp(path(name));
  return true;
}

bool PosixFileStore::write(const std::string& name, std::string_view bytes) {
  // Written beside and renamed over, so a failed write never leaves half a file.
  std::string temporary = path(name) + ".tmp";
  if (!write_all(temporary, "wb", bytes)) {
    std::remove(temporary.c_str());
    return false;
  }
  if (std::rename(temporary.c_str(), path(name).c_str()) != 0) return false;
  stamp(path(name));
  return true;
}

bool PosixFileStore::remove(const std::string& name) {
  return std::remove(path(name).c_str()) == 0 || errno == ENOENT;
}

}  // namespace tep
