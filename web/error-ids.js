// Every stable error id of the package, as src/error_ids.h defines them (the
// meaning of each is there and in docs/errors.md); tests/docs/error-catalog.test.mjs
// holds this mirror equal to it. Code compares an error's `id` with these.

export const ERROR_IDS = Object.freeze({
  // Events the app sends, refused before they are queued.
  eventNotAnObject: 'tep.event.not_an_object',
  eventNameMissing: 'tep.event.name_missing',
  eventConsentCategoryMissing: 'tep.event.consent_category_missing',
  eventConsentCategoryUnknown: 'tep.event.consent_category_unknown',
  eventConsentBlocked: 'tep.event.consent_blocked',
  eventPayloadMissing: 'tep.event.payload_missing',
  eventHeadersNotObject: 'tep.event.headers_not_object',
  eventConsentCategoryConflict: 'tep.event.consent_category_conflict',
  eventTooLarge: 'tep.event.too_large',
  eventInvalidCharacter: 'tep.event.invalid_character',
  eventNotSerialisable: 'tep.event.not_serialisable',
  eventConsentPurged: 'tep.event.consent_purged',
  // Answers of the collector.
  sendTooLarge: 'tep.send.too_large',
  sendRejected: 'tep.send.rejected',
  sendEventTooLarge: 'tep.send.event_too_large',
  sendPoisonEvent: 'tep.send.poison_event',
  sendTimeout: 'tep.send.timeout',
  sendOutOfMemory: 'tep.send.out_of_memory',
  sendNetwork: 'tep.send.network',
  sendDuplicateIds: 'tep.send.duplicate_ids',
  sendUnauthorized: 'tep.send.unauthorized',
  sendUnconfirmed: 'tep.send.unconfirmed',
  sendHttpError: 'tep.send.http_error',
  // The stored queue.
  storeFull: 'tep.store.full',
  storeFailed: 'tep.store.failed',
  // The drop counters' report.
  monitorTooLarge: 'tep.monitor.too_large',
  // Credentials and consent.
  credentialsInvalid: 'tep.credentials.invalid',
  consentNotApplied: 'tep.consent.not_applied',
  // The config init() takes: the id names the field it refuses.
  argument: 'tep.argument',
  configTlConsumerUri: 'tep.config.tlConsumerUri',
  configTlPublicConsumerUri: 'tep.config.tlPublicConsumerUri',
  configEventBatchInterval: 'tep.config.eventBatchInterval',
  configMaxBackoffMs: 'tep.config.maxBackoffMs',
  configMonitoringInterval: 'tep.config.monitoringInterval',
  configMaxDiskUsageBytes: 'tep.config.maxDiskUsageBytes',
  configMaxInFlightBatches: 'tep.config.maxInFlightBatches',
  configEventTtlMs: 'tep.config.eventTtlMs',
  configBlockedConsentCategories: 'tep.config.blockedConsentCategories',
  configCredentialsProvider: 'tep.config.credentialsProvider',
  // init() could not start the producer as asked.
  initStorage: 'tep.init.storage',
  initShutdown: 'tep.init.shutdown',
  initTimeout: 'tep.init.timeout',
  initWorker: 'tep.init.worker',
  initNoWorker: 'tep.init.no_worker',
  // The worker and the page's requests to it.
  workerClosed: 'tep.worker.closed',
  workerNoReply: 'tep.worker.no_reply',
  workerOutOfMemory: 'tep.worker.out_of_memory',
  workerSend: 'tep.worker.send',
  workerRestore: 'tep.worker.restore',
  workerUnknownAction: 'tep.worker.unknown_action',
  workerBadMessage: 'tep.worker.bad_message',
  workerNotInitialised: 'tep.worker.not_initialised',
  workerConfig: 'tep.worker.config',
  workerFailed: 'tep.worker.failed',
  // Tabs and the service worker.
  tabsAdoption: 'tep.tabs.adoption',
  serviceWorkerHandOff: 'tep.service_worker.hand_off',
});

/** The ids of the worker's errors, by the `code` its replies carry ('tep.worker.<code>'). */
const WORKER_ERROR_IDS = new Map(
  Object.values(ERROR_IDS)
    .filter((id) => id.startsWith('tep.worker.'))
    .map((id) => [id.slice('tep.worker.'.length), id]),
);

/**
 * The id of an error the worker answered with `code`: 'tep.worker.<code>' for
 * a code of the catalog, and tep.worker.failed for any other (an error thrown
 * without a code of its own), so no id outside the catalog reaches the app.
 * @param {unknown} code
 */
export function workerErrorId(code) {
  return (typeof code === 'string' && WORKER_ERROR_IDS.get(code)) || ERROR_IDS.workerFailed;
}
