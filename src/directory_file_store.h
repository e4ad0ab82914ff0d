// The FileStore over a folder of an ordinary file system, through POSIX file
// calls. In the worker the folder is an IDBFS mount of Emscripten's file
// system (the files live in memory and the worker stores the changed ones in
// IndexedDB); natively it is a folder on disk.
#pragma once

#include <string>

#include "file_store.h"

namespace tep {

class DirectoryFileStore final : public FileStore {
 public:
  /// `folder` must exist; files are created directly inside it.
  explicit DirectoryFileStore(std::string folder) : folder_(std::move(folder)) {}
  std::vector<std::string> list() override;
  bool read(const std::string& name, std::string& out) override;
  bool read_range(const std::string& name, uint64_t offset, size_t length,
                  std::string& out) override;
  bool append(const std::string& name, std::string_view bytes) override;
  /// Writes a temporary file and renames it over `name`, so a crash leaves
  /// either the old content or the new, never a mix.
  bool write(const std::string& name, std::string_view bytes) override;
  bool remove(const std::string& name) override;

 private:
  std::string path_of(std::string_view name) const;
  std::string folder_;
};

}  // namespace tep
