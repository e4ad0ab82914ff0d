#include "worker_file_store.h"

#include <emscripten/emscripten.h>

#include <cstdlib>

// Each call names the folder and the file; the JS side copies bytes between
// its files and the wasm heap, so nothing on either side holds a pointer
// into the other across calls (the heap moves when memory grows).
// clang-format off
EM_JS(int, folder_file_size, (const char* folder, const char* name), {
  var bytes = Module["folders"]["contents"](UTF8ToString(folder), UTF8ToString(name));
  return bytes ? bytes.length : -1;
});
EM_JS(int, folder_read, (const char* folder, const char* name, double offset, size_t length,
                         char* out), {
  var bytes = Module["folders"]["contents"](UTF8ToString(folder), UTF8ToString(name));
  if (!bytes || offset + length > bytes.length) return 0;
  HEAPU8.set(bytes.subarray(offset, offset + length), out);
  return 1;
});
// replace = 1: the file becomes `bytes`; 0: `bytes` are appended to it.
EM_JS(int, folder_put, (const char* folder, const char* name, const char* bytes, size_t length,
                        int replace), {
  try {
    Module["folders"][replace ? "write" : "append"](UTF8ToString(folder), UTF8ToString(name),
                                                    HEAPU8.subarray(bytes, bytes + length));
    return 1;
  } catch (e) {
    return 0; // out of memory: the core counts the event as not stored
  }
});
EM_JS(void, folder_remove, (const char* folder, const char* name), {
  Module["folders"]["remove"](UTF8ToString(folder), UTF8ToString(name));
});
// The names joined by '/', which no file name contains; malloc'ed, the caller frees it.
EM_JS(char*, folder_list, (const char* folder), {
  var text = Module["folders"]["list"](UTF8ToString(folder)).join("/");
  var size = lengthBytesUTF8(text) + 1;
  var pointer = _malloc(size);
  stringToUTF8(text, pointer, size);
  return pointer;
});
// clang-format on

namespace tep {

std::vector<std::string> WorkerFileStore::list() {
  std::vector<std::string> names;
  char* joined = folder_list(folder_.c_str());
  std::string_view rest(joined);
  while (!rest.empty()) {
    size_t end = rest.find('/');
    names.emplace_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  }
  std::free(joined);
  return names;
}

bool WorkerFileStore::read(const std::string& name, std::string& out) {
  int size = folder_file_size(folder_.c_str(), name.c_str());
  if (size < 0) return false;
  out.resize(static_cast<size_t>(size));
  return folder_read(folder_.c_str(), name.c_str(), 0, out.size(), out.data()) != 0;
}

bool WorkerFileStore::read_range(const std::string& name, uint64_t offset, size_t length,
                                 std::string& out) {
  out.resize(length);
  return folder_read(folder_.c_str(), name.c_str(), static_cast<double>(offset), length,
                     out.data()) != 0;
}

bool WorkerFileStore::append(const std::string& name, std::string_view bytes) {
  return folder_put(folder_.c_str(), name.c_str(), bytes.data(), bytes.size(), 0) != 0;
}

bool WorkerFileStore::write(const std::string& name, std::string_view bytes) {
  return folder_put(folder_.c_str(), name.c_str(), bytes.data(), bytes.size(), 1) != 0;
}

bool WorkerFileStore::remove(const std::string& name) {
  folder_remove(folder_.c_str(), name.c_str());
  return true;
}

}  // namespace tep
