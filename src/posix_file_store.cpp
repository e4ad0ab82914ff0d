#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>

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
  return true;
}

bool PosixFileStore::remove(const std::string& name) {
  return std::remove(path(name).c_str()) == 0 || errno == ENOENT;
}

}  // namespace tep
