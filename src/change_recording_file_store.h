// A FileStore that remembers which of its files changed, so whoever makes
// them durable (the worker, storing them in IndexedDB) writes just those:
// a sync's work then follows what changed, not the number of files.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "file_store.h"

namespace tep {

class ChangeRecordingFileStore final : public FileStore {
 public:
  /// Records the changes made through this store to `files`, which it does not own.
  explicit ChangeRecordingFileStore(FileStore& files) : files_(files) {}

  std::vector<std::string> list() override { return files_.list(); }
  bool read(const std::string& name, std::string& out) override { return files_.read(name, out); }
  bool read_range(const std::string& name, uint64_t offset, size_t length,
                  std::string& out) override {
    return files_.read_range(name, offset, length, out);
  }
  // A failed append or write is recorded too: it may have changed the file part-way.
  bool append(const std::string& name, std::string_view bytes) override {
    changed_.insert(name);
    return files_.append(name, bytes);
  }
  bool write(const std::string& name, std::string_view bytes) override {
    changed_.insert(name);
    return files_.write(name, bytes);
  }
  bool remove(const std::string& name) override {
    changed_.insert(name);
    return files_.remove(name);
  }

  /// Names of the files changed (written, appended to or removed) since the
  /// last call, each once, in name order.
  std::vector<std::string> take_changed() {
    std::vector<std::string> names(changed_.begin(), changed_.end());
    changed_.clear();
    return names;
  }

 private:
  FileStore& files_;
  std::set<std::string> changed_;
};

}  // namespace tep
