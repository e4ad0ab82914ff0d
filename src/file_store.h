// The storage the queue persists to: a flat folder of named files.
//
// In the worker it is a folder of the worker's in-memory files, which reach
// IndexedDB when the worker syncs (worker/worker_file_store.h); in tests it
// is an in-memory fake that fails on demand (tests/native/memory_file_store.h).
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
                          std::string& out) = 0;
  /// Appends `bytes` to `name`, creating it if missing; false on any error
  /// (quota, I/O). A failed append may leave a partial write behind.
  virtual bool append(const std::string& name, std::string_view bytes) = 0;
  /// Replaces the content of `name` with `bytes`; false on any error.
  virtual bool write(const std::string& name, std::string_view bytes) = 0;
  /// Deletes `name`; true if it is gone afterwards.
  virtual bool remove(const std::string& name) = 0;
};

}  // namespace tep
