// Arbitrary bytes as a queue's segment and settle files, in both formats this
// release reads: restoring them, rewriting the earlier format, then using
// the queue, must never crash, loop, lose an event or hand out a malformed
// one.
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
  std::string log = bytes.substr(0, split);
  std::string settle = bytes.substr(split);
  // Version 1 (earlier releases, tokens in the headers) and version 2.
  store.files["seg-0000000000000001.log"] = std::string("TEPQ\x01\x01\0\0", 8) + log;
  store.files["seg-0000000000000001.ack"] = std::string("TEPQ\x01\x02\0\0", 8) + settle;
  store.files["seg-0000000000000002.log"] = bytes;  // raw, headerless
  store.files["seg-0000000000000003.log"] = std::string("TEPQ\x02\x01\0\0", 8) + log;
  store.files["seg-0000000000000003.ack"] = std::string("TEPQ\x02\x02\0\0", 8) + settle;
  tep::QueueLimits limits = tep::default_producer_config().queue;
  limits.ttl_ms = 1000;
  tep::TokenKeeper tokens;
  tep::EventQueue queue(store, limits, tokens);
  auto report = queue.restore(5000);
  size_t restored = queue.size();
  queue.rewrite_earlier_formats();
  if (queue.size() != restored) std::abort();
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
