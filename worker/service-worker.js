// The package's service worker (`tidal-event-producer-wasm/service-worker`):
// imported by an app's own service worker, or registered as it is. It adds
// its event listeners and does nothing else until the browser wakes it: on
// the one-off Background Sync its pages ask for (web/service-worker-handoff.js)
// it adopts the stores no live tab holds and sends their events, as a tab
// does, with the same core, Web Locks and scheduler (worker/producer-worker.js,
// run here through worker/service-worker-scope.js). If events stay unsent,
// the sync's promise rejects, and the browser tries again later with its own
// backoff. It has no token (none is ever at rest): every event goes in the
// logged-out form to the public endpoint, under the site's consent as the
// pages mirrored it.
import { PRODUCER_NOTICE } from './service-worker-scope.js';
import './producer-worker.js';
import { storePathOf } from './store-names.js';
import { storePaths } from './store-registry.js';
import { createStoredDelivery } from './stored-delivery.js';
import { CONSENT_MESSAGE_TYPE, DELIVERY_SYNC_TAG, readHandoff, writeMirror } from '../web/service-worker-handoff.js';
import { CONSENT_CHANNEL_NAME } from '../web/site-consent.js';

const scope = /** @type {any} */ (self);

// The producer's message handler, called from here only: the pages' messages
// to this service worker (the app's, perhaps) never reach it.
const toProducer = scope.onmessage;
scope.onmessage = null;

const delivery = createStoredDelivery({ toProducer, readHandoff, writeMirror, storePaths, storePathOf });
scope.addEventListener(PRODUCER_NOTICE, (/** @type {MessageEvent} */ event) => delivery.hear(event.data));
// The site's consent as its tabs change it: broadcast to every context
// that runs, and posted here, which wakes this service worker where it was
// not running (web/service-worker-handoff.js). A delivery under way applies
// each change at once, and each is mirrored for the next wake-up. A message
// of another type is the app's, for its own listeners.
if (typeof BroadcastChannel === 'function') {
  new BroadcastChannel(CONSENT_CHANNEL_NAME).onmessage = ({ data }) => delivery.hearConsent(data?.consent);
}
scope.addEventListener('message', (/** @type {any} */ event) => {
  if (event.data?.type === CONSENT_MESSAGE_TYPE) event.waitUntil(delivery.hearConsent(event.data.consent));
});

scope.addEventListener('sync', (/** @type {any} */ event) => {
  if (event.tag === DELIVERY_SYNC_TAG) event.waitUntil(delivery.deliverOnce());
});

// Where Background Sync is missing (Firefox, Safari), the service worker's
// activation is the wake-up it gets without a page asking; a failure waits
// for the next one (or the next tab).
scope.addEventListener('activate', (/** @type {any} */ event) => {
  if (!scope.registration?.sync) event.waitUntil(delivery.deliverOnce().catch(() => {}));
});
