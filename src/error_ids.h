// Every stable error id of the package, in one place: the ids the core puts
// at the start of its messages ("[tep.send.timeout] …") and those the page
// and the worker raise, so the list is complete for whoever tests an id.
// web/error-ids.js mirrors it for JavaScript and docs/errors.md explains
// each (tests/docs/error-catalog.test.mjs holds the three together). Each id
// is `tep.<area>.<name>`, except tep.argument, a config that is not an object.
#pragma once

#include <string>
#include <string_view>

namespace tep::error_ids {

// Events the app sends, refused before they are queued.
/// The event is not a plain object of JSON values, or is nested too deep.
inline constexpr std::string_view kEventNotAnObject = "tep.event.not_an_object";
/// The event has no name, or its name is not a non-empty string.
inline constexpr std::string_view kEventNameMissing = "tep.event.name_missing";
/// The event has no consentCategory.
inline constexpr std::string_view kEventConsentCategoryMissing =
    "tep.event.consent_category_missing";
/// The event's consentCategory is not NECESSARY, PERFORMANCE or TARGETING.
inline constexpr std::string_view kEventConsentCategoryUnknown =
    "tep.event.consent_category_unknown";
/// The site's consent blocks the event's category.
inline constexpr std::string_view kEventConsentBlocked = "tep.event.consent_blocked";
/// In strict mode, the event has no payload.
inline constexpr std::string_view kEventPayloadMissing = "tep.event.payload_missing";
/// The event's headers are not an object of strings.
inline constexpr std::string_view kEventHeadersNotObject = "tep.event.headers_not_object";
/// The event's consent-category header differs from its consentCategory.
inline constexpr std::string_view kEventConsentCategoryConflict =
    "tep.event.consent_category_conflict";
/// The event takes 20480 bytes or more.
inline constexpr std::string_view kEventTooLarge = "tep.event.too_large";
/// The event holds a character XML 1.0 can't carry.
inline constexpr std::string_view kEventInvalidCharacter = "tep.event.invalid_character";
/// The page could not serialise the event (a BigInt, a cycle, a throwing getter).
inline constexpr std::string_view kEventNotSerialisable = "tep.event.not_serialisable";
/// A consent change purged the event before the worker stored it.
inline constexpr std::string_view kEventConsentPurged = "tep.event.consent_purged";

// Answers of the collector.
/// The collector refused a batch as too large: it is split.
inline constexpr std::string_view kSendTooLarge = "tep.send.too_large";
/// The collector refused a batch or an event with a client error.
inline constexpr std::string_view kSendRejected = "tep.send.rejected";
/// The collector refused one event as too large.
inline constexpr std::string_view kSendEventTooLarge = "tep.send.event_too_large";
/// The collector keeps refusing one event while accepting others: it is dropped.
inline constexpr std::string_view kSendPoisonEvent = "tep.send.poison_event";
/// The collector did not answer in time.
inline constexpr std::string_view kSendTimeout = "tep.send.timeout";
/// The collector's answer could not be read into the core's memory.
inline constexpr std::string_view kSendOutOfMemory = "tep.send.out_of_memory";
/// The collector could not be reached.
inline constexpr std::string_view kSendNetwork = "tep.send.network";
/// The collector saw duplicate ids in a batch.
inline constexpr std::string_view kSendDuplicateIds = "tep.send.duplicate_ids";
/// The collector refused the credentials (HTTP 401).
inline constexpr std::string_view kSendUnauthorized = "tep.send.unauthorized";
/// The collector answered success without confirming any event.
inline constexpr std::string_view kSendUnconfirmed = "tep.send.unconfirmed";
/// The collector answered an HTTP error that is retried.
inline constexpr std::string_view kSendHttpError = "tep.send.http_error";

// The stored queue.
/// The queue reached maxDiskUsageBytes: new events are dropped.
inline constexpr std::string_view kStoreFull = "tep.store.full";
/// Storage refused a write: the event is dropped.
inline constexpr std::string_view kStoreFailed = "tep.store.failed";

// The drop counters' report.
/// The default headers leave no room for the drop counters in a report.
inline constexpr std::string_view kMonitorTooLarge = "tep.monitor.too_large";

// Credentials and consent.
/// The credentials provider answered what can't be credentials: it is not used.
inline constexpr std::string_view kCredentialsInvalid = "tep.credentials.invalid";
/// A consent change did not reach the worker, which is restarted with it.
inline constexpr std::string_view kConsentNotApplied = "tep.consent.not_applied";

// The config init() takes: the id names the field it refuses.
/// An argument as a whole is unusable: no config for init(), setConsentCategory() before init().
inline constexpr std::string_view kArgument = "tep.argument";
/// tlConsumerUri is not a URL.
inline constexpr std::string_view kConfigTlConsumerUri = "tep.config.tlConsumerUri";
/// tlPublicConsumerUri is not a URL.
inline constexpr std::string_view kConfigTlPublicConsumerUri = "tep.config.tlPublicConsumerUri";
/// eventBatchInterval is out of its range (README, Config).
inline constexpr std::string_view kConfigEventBatchInterval = "tep.config.eventBatchInterval";
/// maxBackoffMs is out of its range (README, Config).
inline constexpr std::string_view kConfigMaxBackoffMs = "tep.config.maxBackoffMs";
/// monitoringInterval is out of its range (README, Config).
inline constexpr std::string_view kConfigMonitoringInterval = "tep.config.monitoringInterval";
/// maxDiskUsageBytes is out of its range (README, Config).
inline constexpr std::string_view kConfigMaxDiskUsageBytes = "tep.config.maxDiskUsageBytes";
/// maxInFlightBatches is out of its range (README, Config).
inline constexpr std::string_view kConfigMaxInFlightBatches = "tep.config.maxInFlightBatches";
/// eventTtlMs is out of its range (README, Config).
inline constexpr std::string_view kConfigEventTtlMs = "tep.config.eventTtlMs";
/// A blockedConsentCategories value is not a boolean, null or undefined.
inline constexpr std::string_view kConfigBlockedConsentCategories =
    "tep.config.blockedConsentCategories";
/// credentialsProvider has no getCredentials().
inline constexpr std::string_view kConfigCredentialsProvider = "tep.config.credentialsProvider";

// init() could not start the producer as asked.
/// IndexedDB could not be opened: events are kept in memory only.
inline constexpr std::string_view kInitStorage = "tep.init.storage";
/// shutdown() was called before init finished.
inline constexpr std::string_view kInitShutdown = "tep.init.shutdown";
/// The worker did not start in time.
inline constexpr std::string_view kInitTimeout = "tep.init.timeout";
/// The worker could not be started or failed to load.
inline constexpr std::string_view kInitWorker = "tep.init.worker";
/// Web Workers are not available.
inline constexpr std::string_view kInitNoWorker = "tep.init.no_worker";

// The worker and the page's requests to it.
/// The producer was shut down or its worker ended before it answered.
inline constexpr std::string_view kWorkerClosed = "tep.worker.closed";
/// The worker did not answer a request in time.
inline constexpr std::string_view kWorkerNoReply = "tep.worker.no_reply";
/// The core's memory could not grow for a text the worker passes it.
inline constexpr std::string_view kWorkerOutOfMemory = "tep.worker.out_of_memory";
/// The worker could not hand a batch to the network.
inline constexpr std::string_view kWorkerSend = "tep.worker.send";
/// The worker could not restore the stored queue.
inline constexpr std::string_view kWorkerRestore = "tep.worker.restore";
/// A message named an action the worker does not know.
inline constexpr std::string_view kWorkerUnknownAction = "tep.worker.unknown_action";
/// A message does not have the protocol's shape.
inline constexpr std::string_view kWorkerBadMessage = "tep.worker.bad_message";
/// A request that needs init came before it.
inline constexpr std::string_view kWorkerNotInitialised = "tep.worker.not_initialised";
/// The core refused the config.
inline constexpr std::string_view kWorkerConfig = "tep.worker.config";
/// A request failed in the worker for a reason without an id of its own.
inline constexpr std::string_view kWorkerFailed = "tep.worker.failed";

// Tabs and the service worker.
/// Taking over the store of a closed tab failed.
inline constexpr std::string_view kTabsAdoption = "tep.tabs.adoption";
/// Leaving the events to the service worker failed (reported in strict mode).
inline constexpr std::string_view kServiceWorkerHandOff = "tep.service_worker.hand_off";

}  // namespace tep::error_ids

namespace tep {

/// "[id] explanation": how every message with an id reads.
inline std::string error_text(std::string_view id, std::string_view explanation) {
  std::string text;
  text.reserve(id.size() + explanation.size() + 3);
  text.append("[").append(id).append("] ").append(explanation);
  return text;
}

}  // namespace tep
