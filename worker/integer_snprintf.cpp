// snprintf for the shipped module, integer conversions only.
//
// The only snprintf calls in the module are nlohmann/json's: they print a code
// point in hex ("<U+%.4X>" in the text of a parse error, "\\u%04x" in dump).
// libc's snprintf carries the floating-point conversions and their 128-bit
// long double arithmetic, ~1.7 KB of gzipped wasm that nothing here uses.
// Defining snprintf here keeps the linker from taking libc's, and this one
// hands the work to libc's own integer-only formatter (musl's vsniprintf,
// which Emscripten ships for exactly this). The core formats numbers with
// std::to_string of integers and writes floats as the text it was given, so
// no caller asks for %e, %f, %g or %a, which vsniprintf does not format.
#include <cstdarg>
#include <cstddef>

extern "C" int vsniprintf(char* buffer, std::size_t size, const char* format, va_list arguments);

extern "C" int snprintf(char* buffer, std::size_t size, const char* format, ...) {
  va_list arguments;
  va_start(arguments, format);
  const int written = vsniprintf(buffer, size, format, arguments);
  va_end(arguments);
  return written;
}
