#include "directory_file_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace tep {
namespace {

// The suffix of a file being written by write(); list() never reports it,
// so a write interrupted before its rename is invisible to the queue.
constexpr std::string_view kTemporarySuffix = ".tmp";

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// Writes all of `bytes` to `fd`, retrying short writes and interruptions.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

/// Reads exactly `length` bytes at `offset` into `out`.
bool read_exactly(int fd, uint64_t offset, size_t length, char* out) {
  size_t done = 0;
  while (done < length) {
    ssize_t got = ::pread(fd, out + done, length - done, static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    done += static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

std::string DirectoryFileStore::path_of(std::string_view name) const {
  std::string path = folder_;
  path += '/';
  path += name;
  return path;
}

std::vector<std::string> DirectoryFileStore::list() {
  std::vector<std::string> names;
  DIR* dir = ::opendir(folder_.c_str());
  if (!dir) return names;
  while (const dirent* entry = ::readdir(dir)) {
    std::string_view name = entry->d_name;
    if (name == "." || name == ".." || ends_with(name, kTemporarySuffix)) continue;
    names.emplace_back(name);
  }
  ::closedir(dir);
  return names;
}

bool DirectoryFileStore::read(const std::string& name, std::string& out) {
  int fd = ::open(path_of(name).c_str(), O_RDONLY);
  if (fd < 0) return false;
  struct stat info;
  bool ok = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  if (ok) {
    out.resize(static_cast<size_t>(info.st_size));
    ok = read_exactly(fd, 0, out.size(), out.data());
  }
  ::close(fd);
  return ok;
}

bool DirectoryFileStore::read_range(const std::string& name, uint64_t offset, size_t length,
                                    std::string& out) {
  int fd = ::open(path_of(name).c_str(), O_RDONLY);
  if (fd < 0) return false;
  out.resize(length);
  bool ok = read_exactly(fd, offset, length, out.data());
  ::close(fd);
  return ok;
}

bool DirectoryFileStore::append(const std::string& name, std::string_view bytes) {
  // 0644: the queue's files are the producer's own; nobody else writes them.
  int fd = ::open(path_of(name).c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return false;
  bool ok = write_all(fd, bytes);
  return ::close(fd) == 0 && ok;
}

bool DirectoryFileStore::write(const std::string& name, std::string_view bytes) {
  std::string temporary = path_of(name);
  temporary += kTemporarySuffix;
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return false;
  bool ok = write_all(fd, bytes);
  ok = ::close(fd) == 0 && ok;
  if (ok && std::rename(temporary.c_str(), path_of(name).c_str()) == 0) return true;
  ::unlink(temporary.c_str());
  return false;
}

bool DirectoryFileStore::remove(const std::string& name) {
  return ::unlink(path_of(name).c_str()) == 0 || errno == ENOENT;
}

}  // namespace tep
