// What the core reports to the worker as JSON: getStats()'s fields and
// init's restore summary. The worker parses them and adds its own fields
// (web/index.d.ts lists them all).
#pragma once

#include <string>

#include "producer.h"

namespace tep {

/// {queued, queuedBytes, inFlightBatches, inFlightEvents, delivered, accepted,
/// outage, online, retryAt, consecutiveFailures, clockOffsetMs, counters,
/// lastError (null when there was none)}.
std::string stats_json(const ProducerStats& stats);

/// {restored, corruptRecords, unreadableFiles, expired, feral, outage}.
std::string restore_summary_json(const RestoreSummary& summary);

/// {taken, remaining, unreadableFiles, damagedRecords, expired, keptFiles: [names],
/// changedFiles: [names]}.
std::string adopt_report_json(const AdoptReport& report);

}  // namespace tep
