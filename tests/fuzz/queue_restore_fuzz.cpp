// Arbitrary bytes as a queue's segment and settle files: restoring them, then
// using the queue, must never crash, loop or hand out a malformed event.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "event_queue.h"
#include "memory_file_store.h"
#include "producer_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  tep::MemoryFileStore store;
  // The first byte chooses where the input splits into a log and its settle log.
  size_t split = size ? (static_cast<unsigned char>(bytes[0]) * size) / 256 : 0;
  std::string header_log("TEPQ\x01\x01\0\0", 8);
  std::string header_settle("TEPQ\x01\x02\0\0", 8);
  store.files["seg-0000000000000001.log"] = header_log + bytes.substr(0, split);
  store.files["seg-0000000000000001.ack"] = header_settle + bytes.substr(split);
  store.files["seg-0000000000000002.log"] = bytes;  // raw, headerless
  tep::QueueLimits limits = tep::default_producer_config().queue;
  limits.ttl_ms = 1000;
  tep::EventQueue queue(store, limits);
  auto report = queue.restore(5000);
  auto events = queue.peek(1000, SIZE_MAX, nullptr);
  if (events.size() != queue.size() || events.size() > report.restored) std::abort();
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.id);
  queue.record_attempt(ids);
  queue.append(tep::Event{"new", "n", "{}", "{}", 5000, 0});
  queue.remove(ids);
  if (queue.size() != 1) std::abort();
  return 0;
}
