// worker/producer-worker.js is written for a dedicated worker: it takes the
// page's requests on self.onmessage and answers with self.postMessage. A
// service worker's global scope has no postMessage, and its onmessage hears
// the pages. Imported before producer-worker.js, this module gives that code
// a postMessage whose notices are dispatched on the service worker's own
// scope as PRODUCER_NOTICE events, which worker/service-worker.js listens to;
// that code then takes the handler off onmessage and calls it itself: the
// same producer, driven from inside.

/** The type of the events that carry the producer's notices (their `data`). */
export const PRODUCER_NOTICE = 'tep-producer-notice';

/** @type {any} */ (self).postMessage = (/** @type {import('../web/protocol.js').WorkerNotice} */ notice) => {
  self.dispatchEvent(new MessageEvent(PRODUCER_NOTICE, { data: notice }));
};
