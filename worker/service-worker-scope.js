// worker/producer-worker.js is written for a dedicated worker: it takes the
// page's requests on self.onmessage and answers with self.postMessage. A
// service worker's global scope has no postMessage, and its onmessage hears
// the pages. Imported before producer-worker.js, this module gives that code
// a postMessage whose notices reach the service worker's own code
// (worker/service-worker.js) instead, which then takes the handler off
// onmessage and calls it itself: the same producer, driven from inside.

/** @type {Set<(notice: import('../web/protocol.js').WorkerNotice) => void>} */
export const producerNotices = new Set();

/** @type {any} */ (self).postMessage = (/** @type {import('../web/protocol.js').WorkerNotice} */ notice) => {
  for (const hear of producerNotices) hear(notice);
};
