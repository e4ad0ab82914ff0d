// An in-memory FileStore for tests, with the faults real storage has:
// refusing writes (quota, private mode), tearing a write part-way (a worker
// killed mid-write), and counting the bytes an IndexedDB sync would write.
#pragma once

#include <map>
#include <set>
#include <string>

#include "file_store.h"

namespace tep {

class MemoryFileStore final : public FileStore {
 public:
  std::vector<std::string> list() override {
    std::vector<std::string> names;
    if (unavailable) return names;
    for (const auto& f : files) names.push_back(f.first);
    return names;
  }
  bool read(const std::string& name, std::string& out) override {
    auto it = files.find(name);
    if (unavailable || it == files.end()) return false;
    out = it->second;
    return true;
  }
  bool read_range(const std::string& name, uint64_t offset, size_t length,
                  std::string& out) override {
    auto it = files.find(name);
    if (unavailable || it == files.end() || offset > it->second.size() ||
        length > it->second.size() - offset) {
      return false;
    }
    out.assign(it->second, static_cast<size_t>(offset), length);
    return true;
  }
  bool append(const std::string& name, std::string_view bytes) override {
    if (!allow_write(name, bytes)) return false;
    files[name].append(bytes.data(), bytes.size());
    return true;
  }
  bool write(const std::string& name, std::string_view bytes) override {
    if (unavailable || fail_next_writes > 0) {
      if (fail_next_writes > 0) --fail_next_writes;
      return false;
    }
    files[name] = std::string(bytes);
    touched.insert(name);
    return true;
  }
  bool remove(const std::string& name) override {
    if (unavailable) return false;
    files.erase(name);
    touched.erase(name);
    return true;
  }

  /// Bytes an IDBFS sync would write now (each touched file whole), and
  /// forgets them, as a sync does.
  uint64_t sync() {
    uint64_t bytes = 0;
    for (const auto& name : touched) {
      auto it = files.find(name);
      if (it != files.end()) bytes += it->second.size();
    }
    touched.clear();
    return bytes;
  }

  /// True if any file holds `bytes` anywhere (a token that must never be stored).
  bool any_file_holds(std::string_view bytes) const {
    for (const auto& file : files) {
      if (file.second.find(bytes) != std::string::npos) return true;
    }
    return false;
  }

  std::map<std::string, std::string> files;
  bool unavailable = false;          ///< every call fails, as without IndexedDB
  int fail_next_writes = 0;          ///< the next N appends/writes fail, writing nothing
  long tear_next_append_after = -1;  ///< the next append writes only this many bytes, then fails
  uint64_t bytes_appended = 0;

 private:
  bool allow_write(const std::string& name, std::string_view bytes) {
    if (unavailable) return false;
    if (fail_next_writes > 0) {
      --fail_next_writes;
      return false;
    }
    if (tear_next_append_after >= 0) {
      files[name].append(bytes.data(), std::min<size_t>(bytes.size(), tear_next_append_after));
      tear_next_append_after = -1;
      touched.insert(name);
      return false;
    }
    bytes_appended += bytes.size();
    touched.insert(name);
    return true;
  }
  std::set<std::string> touched;
};

}  // namespace tep
