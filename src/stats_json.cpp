#include "stats_json.h"

#include "stringify_writer.h"

namespace tep {

std::string stats_json(const ProducerStats& stats) {
  nlohmann::json json = {
      {"queued", stats.queued},
      {"queuedBytes", stats.queued_bytes},
      {"heldByConsent", stats.held_by_consent},
      {"inFlightBatches", stats.in_flight_batches},
      {"inFlightEvents", stats.in_flight_events},
      {"delivered", stats.delivered},
      {"accepted", stats.accepted},
      {"outage", stats.outage},
      {"online", stats.online},
      {"retryAt", stats.retry_at_ms},
      {"consecutiveFailures", stats.consecutive_failures},
      {"clockOffsetMs", stats.clock_offset_ms},
      {"counters", stats.counters.to_json_value()},
      {"lastError", nullptr},
  };
  if (!stats.last_error.empty()) json["lastError"] = stats.last_error;
  return stringify_value(json);
}

std::string restore_summary_json(const RestoreSummary& summary) {
  return stringify_value({
      {"restored", summary.restored},
      {"corruptRecords", summary.corrupt_records},
      {"unreadableFiles", summary.unreadable_files},
      {"expired", summary.expired},
      {"feral", summary.feral},
      {"purged", summary.purged},
      {"outage", summary.outage},
  });
}

std::string adopt_report_json(const AdoptReport& report) {
  return stringify_value({
      {"taken", report.taken},
      {"remaining", report.remaining},
      {"unreadableFiles", report.unreadable_files},
      {"damagedRecords", report.damaged_records},
      {"expired", report.expired},
      {"keptFiles", report.kept_files},
      {"changedFiles", report.changed_files},
  });
}

}  // namespace tep
