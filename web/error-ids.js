// Every stable error id of the package, as src/error_ids.def defines them (the
// meaning of each is there and in docs/errors.md); tests/docs/error-catalog.test.mjs
// holds this mirror equal to it. Code compares an error's `id` with these,
// imported as a namespace (`import * as ERROR_IDS`): one export per id, so a
// bundle keeps only the ids its code names (the page names a few of the 56).

// Events the app sends, refused before they are queued.
export const eventNotAnObject = 'tep.event.not_an_object';
export const eventNameMissing = 'tep.event.name_missing';
export const eventConsentCategoryMissing = 'tep.event.consent_category_missing';
export const eventConsentCategoryUnknown = 'tep.event.consent_category_unknown';
export const eventConsentBlocked = 'tep.event.consent_blocked';
export const eventPayloadMissing = 'tep.event.payload_missing';
export const eventHeadersNotObject = 'tep.event.headers_not_object';
export const eventConsentCategoryConflict = 'tep.event.consent_category_conflict';
export const eventTooLarge = 'tep.event.too_large';
export const eventInvalidCharacter = 'tep.event.invalid_character';
export const eventNotSerialisable = 'tep.event.not_serialisable';
export const eventConsentPurged = 'tep.event.consent_purged';
// Answers of the collector.
export const sendTooLarge = 'tep.send.too_large';
export const sendRejected = 'tep.send.rejected';
export const sendEventTooLarge = 'tep.send.event_too_large';
export const sendPoisonEvent = 'tep.send.poison_event';
export const sendTimeout = 'tep.send.timeout';
export const sendOutOfMemory = 'tep.send.out_of_memory';
export const sendNetwork = 'tep.send.network';
export const sendDuplicateIds = 'tep.send.duplicate_ids';
export const sendUnauthorized = 'tep.send.unauthorized';
export const sendUnconfirmed = 'tep.send.unconfirmed';
export const sendHttpError = 'tep.send.http_error';
// The stored queue.
export const storeFull = 'tep.store.full';
export const storeFailed = 'tep.store.failed';
// The drop counters' report.
export const monitorTooLarge = 'tep.monitor.too_large';
// Credentials and consent.
export const credentialsInvalid = 'tep.credentials.invalid';
export const consentNotApplied = 'tep.consent.not_applied';
// The config init() takes: the id names the field it refuses.
export const argument = 'tep.argument';
export const configTlConsumerUri = 'tep.config.tlConsumerUri';
export const configTlPublicConsumerUri = 'tep.config.tlPublicConsumerUri';
export const configEventBatchInterval = 'tep.config.eventBatchInterval';
export const configMaxBackoffMs = 'tep.config.maxBackoffMs';
export const configMonitoringInterval = 'tep.config.monitoringInterval';
export const configMaxDiskUsageBytes = 'tep.config.maxDiskUsageBytes';
export const configMaxInFlightBatches = 'tep.config.maxInFlightBatches';
export const configEventTtlMs = 'tep.config.eventTtlMs';
export const configBlockedConsentCategories = 'tep.config.blockedConsentCategories';
export const configCredentialsProvider = 'tep.config.credentialsProvider';
export const configFeralEventTypes = 'tep.config.feralEventTypes';
// init() could not start the producer as asked.
export const initStorage = 'tep.init.storage';
export const initShutdown = 'tep.init.shutdown';
export const initTimeout = 'tep.init.timeout';
export const initWorker = 'tep.init.worker';
export const initNoWorker = 'tep.init.no_worker';
// The worker and the page's requests to it.
export const workerClosed = 'tep.worker.closed';
export const workerNoReply = 'tep.worker.no_reply';
export const workerOutOfMemory = 'tep.worker.out_of_memory';
export const workerSend = 'tep.worker.send';
export const workerRestore = 'tep.worker.restore';
export const workerUnknownAction = 'tep.worker.unknown_action';
export const workerBadMessage = 'tep.worker.bad_message';
export const workerNotInitialised = 'tep.worker.not_initialised';
export const workerConfig = 'tep.worker.config';
export const workerFailed = 'tep.worker.failed';
// Tabs and the service worker.
export const tabsAdoption = 'tep.tabs.adoption';
export const serviceWorkerHandOff = 'tep.service_worker.hand_off';

/** The ids of the worker's errors: the `code` its replies carry is what follows 'tep.worker.'. */
const WORKER_ERROR_IDS = [
  workerClosed,
  workerNoReply,
  workerOutOfMemory,
  workerSend,
  workerRestore,
  workerUnknownAction,
  workerBadMessage,
  workerNotInitialised,
  workerConfig,
  workerFailed,
];

/**
 * The id of an error the worker answered with `code`: 'tep.worker.<code>' for
 * a code of the catalog, and tep.worker.failed for any other (an error thrown
 * without a code of its own), so no id outside the catalog reaches the app.
 * @param {unknown} code
 */
export function workerErrorId(code) {
  const id = `tep.worker.${code}`;
  return typeof code === 'string' && WORKER_ERROR_IDS.includes(id) ? id : workerFailed;
}
