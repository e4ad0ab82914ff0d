// The storage the queue persists to: a flat folder of named files.
//
// In the worker this is a folder under the IDBFS mount (MEMFS files that
// reach IndexedDB when the worker syncs); natively it is a temporary folder;
// in fault-injection tests it is an in-memory fake that fails on demand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tep {

class FileStore {
 public:
  virtual ~FileStore() = default;
  /// Names of the files in the folder, in no particular order.
  virtual std::vector<std::string> list() = 0;
  /// Whole content of `name` into `out`; false if it can't be read.
  virtual bool read(const std::string& name, std::string& out) = 0;
  /// `length` bytes of `name` from `offset` into `out`; false if they can't
  /// all be read. The queue reads one event at a time through this, so it
  /// need not keep event bodies in memory.
  virtual bool read_range(const std::string& name, uint64_t offset, size_t length,
                          std::string& out) {
    std::string whole;
    if (!read(name, whole) || offset > whole.size() || length > whole.size() - offset) return false;
    out.assign(whole, static_cast<size_t>(offset), length);
    return true;
  }
  /// Appends `bytes` to `name`, creating it if missing; false on any error
  /// (quota, I/O). A failed append may leave a partial write behind.
  virtual bool append(const std::string& name, std::string_view bytes) = 0;
  /// Replaces the content of `name` with `bytes`; false on any error.
  virtual bool write(const std::string& name, std::string_view bytes) = 0;
  /// Deletes `name`; true if it is gone afterwards.
  virtual bool remove(const std::string& name) = 0;
};

/// FileStore on a real folder through C stdio (works natively and on
/// Emscripten's MEMFS/IDBFS; stdio rather than <fstream> saves ~29 KB gz of wasm).
class PosixFileStore final : public FileStore {
 public:
  /// `folder` is created if missing.
  explicit PosixFileStore(std::string folder);
  std::vector<std::string> list() override;
  bool read(const std::string& name, std::string& out) override;
  bool read_range(const std::string& name, uint64_t offset, size_t length,
                  std::string& out) override;
  bool append(const std::string& name, std::string_view bytes) override;
  bool write(const std::string& name, std::string_view bytes) override;
  bool remove(const std::string& name) override;
  const std::string& folder() const { return folder_; }

 private:
  std::string path(const std::string& name) const;
  std::string folder_;
};

}  // namespace tep
