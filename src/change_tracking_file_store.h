// A FileStore that remembers which files it changed.
//
// IDBFS's own sync compares every file of the mount with every entry of its
// IndexedDB database on each call: its work grows with the number of files,
// so with a deep queue each sync after an acknowledgement costs more. The
// worker instead writes to IndexedDB only the files this store reports as
// changed, so a sync's work depends on what changed, not on the queue's depth.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "file_store.h"

namespace tep {

class ChangeTrackingFileStore final : public FileStore {
 public:
  /// Passes every call through to `inner`, which must outlive this store.
  explicit ChangeTrackingFileStore(FileStore& inner) : inner_(inner) {}

  std::vector<std::string> list() override { return inner_.list(); }
  bool read(const std::string& name, std::string& out) override { return inner_.read(name, out); }
  bool read_range(const std::string& name, uint64_t offset, size_t length,
                  std::string& out) override {
    return inner_.read_range(name, offset, length, out);
  }
  /// Appends, writes and removes count as changes even when they fail: a
  /// failed append may have left part of its bytes behind.
  bool append(const std::string& name, std::string_view bytes) override;
  bool write(const std::string& name, std::string_view bytes) override;
  bool remove(const std::string& name) override;

  /// Names changed since the last call, each once, sorted; whether a name
  /// still exists is for the caller to look up.
  std::vector<std::string> take_changed();

 private:
  FileStore& inner_;
  std::set<std::string> changed_;
};

}  // namespace tep
