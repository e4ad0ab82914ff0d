// Arbitrary bytes as what a page passes to sendEvent (and as the counters
// file and HTTP dates, the core's other text inputs): nothing may crash, and
// an accepted event must be well-formed JSON the collector can take.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "drop_counters.h"
#include "http_date.h"
#include "json_text.h"
#include "submitter.h"
#include "xml_chars.h"

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
    if (!tep::scan_json_object(e.payload) || !tep::scan_json_object(e.headers)) std::abort();
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
  tep::parse_http_date_ms(input);
  return 0;
}
