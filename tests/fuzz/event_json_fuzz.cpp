// Arbitrary bytes as what a page passes to sendEvent (and as the counters
// file, the config and HTTP dates, the core's other text inputs): nothing may
// crash, and an accepted event must be JSON the collector can take, already
// in the form JSON.stringify writes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "drop_counters.h"
#include "http_date.h"
#include "json_reader.h"
#include "producer_config.h"
#include "stringify_writer.h"
#include "submitter.h"
#include "xml_chars.h"

namespace {

// True if `json` is one JSON object that reads back to the same text.
bool is_stringified_object(const std::string& json) {
  if (!nlohmann::json::accept(json) || json.empty() || json[0] != '{') return false;
  std::string again;
  tep::StringifyWriter writer(again);
  return tep::read_json_events(json, writer) && again == json;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);

  tep::SubmitterConfig config;
  config.client.app_name = "fuzz";
  config.strict_mode = size % 2 == 0;
  tep::Submitter submitter(config);
  submitter.set_credentials({std::string("client"), std::string("token")});
  auto submission = submitter.submit(input, "00000000-0000-4000-8000-000000000000", 1763000000000);
  if (submission.event) {
    const auto& e = *submission.event;
    if (!is_stringified_object(e.payload) || !is_stringified_object(e.headers)) std::abort();
    if (!tep::json_has_only_xml_chars(e.payload) || !tep::utf8_has_only_xml_chars(e.name))
      std::abort();
    if (e.payload.size() + e.headers.size() >= tep::kMaxEventBytes) std::abort();
  } else if (submission.problem.empty()) {
    std::abort();  // every drop has a reason
  }

  tep::DropCounters counters;
  if (counters.from_json(input)) {
    tep::DropCounters again;
    if (!again.from_json(counters.to_json()) || again.to_json() != counters.to_json()) std::abort();
  }
  if (auto read = tep::read_producer_config(input)) {
    if (read->scheduler.batch_interval_ms <= 0 || read->scheduler.max_in_flight < 1 ||
        read->monitoring_interval_ms <= 0 || read->queue.ttl_ms < 0)
      std::abort();
  }
  tep::parse_http_date_ms(input);
  return 0;
}
