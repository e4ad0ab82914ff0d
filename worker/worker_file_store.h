// The FileStore the core uses in the worker: a folder of the worker's
// in-memory files (worker/memory-folders.js, reached as Module.folders),
// which the worker mirrors to IndexedDB. Emscripten's own file system would
// add ~8.5 KB gz of JS to every page load for the same six operations.
#pragma once

#include <string>

#include "file_store.h"

namespace tep {

class WorkerFileStore final : public FileStore {
 public:
  /// `folder` is the path the worker's JS knows the folder by.
  explicit WorkerFileStore(std::string folder) : folder_(std::move(folder)) {}
  std::vector<std::string> list() override;
  bool read(const std::string& name, std::string& out) override;
  bool read_range(const std::string& name, uint64_t offset, size_t length,
                  std::string& out) override;
  bool append(const std::string& name, std::string_view bytes) override;
  bool write(const std::string& name, std::string_view bytes) override;
  bool remove(const std::string& name) override;

 private:
  std::string folder_;
};

}  // namespace tep
