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
import { producerNotices } from './service-worker-scope.js';
import './producer-worker.js';
import { storePathOf, storePaths } from './tab-stores.js';
import { Action, Notice } from '../web/protocol.js';
import { DELIVERY_SYNC_TAG, readHandoff } from '../web/service-worker-handoff.js';

const scope = /** @type {any} */ (self);

// The producer's message handler, called from here only: the pages' messages
// to this service worker (the app's, perhaps) never reach it.
const toProducer = scope.onmessage;
scope.onmessage = null;

// The service worker's own store: after a delivery that left events behind,
// the next wake-up of this service worker restores them from it, and once the
// service worker has ended, a tab may adopt it like any gone tab's store.
const SERVICE_WORKER_STORE_ID = 'service-worker';

let nextRequestId = 1;
/** @type {Map<number, { resolve: (result: any) => void, reject: (error: Error) => void }>} */
const awaitingReply = new Map();

producerNotices.add((notice) => {
  if (notice.type === Notice.reply) {
    const waiting = awaitingReply.get(notice.id);
    awaitingReply.delete(notice.id);
    if (notice.error) waiting?.reject(Object.assign(new Error(notice.error.message), { code: notice.error.code }));
    else waiting?.resolve(notice.result);
  } else if (notice.type === Notice.problem) {
    console.warn(`event-producer service worker: ${notice.message}`);
  }
});

/** Sends the producer one request and resolves with its reply. */
function ask(action, fields = {}) {
  const id = nextRequestId++;
  return new Promise((resolve, reject) => {
    awaitingReply.set(id, { resolve, reject });
    toProducer({ data: { id, action, ...fields } });
  });
}

/** @type {Promise<{ storeId: string }> | null} */
let started = null;

/**
 * Starts the producer on this service worker's store with what the pages
 * left, or gives it the latest consent if it runs already.
 * @param {import('../web/service-worker-handoff.js').Handoff} handoff
 */
async function startOrUpdate({ config, consent }) {
  if (started) {
    const running = await started;
    await ask(Action.consent, { consent });
    return running;
  }
  started = ask(Action.init, {
    // Without a token, the logged-in endpoint is never used: both are the public one.
    config: {
      core: config.core,
      tlConsumerUri: config.tlPublicConsumerUri,
      tlPublicConsumerUri: config.tlPublicConsumerUri,
    },
    credentials: null,
    consent,
    storeId: SERVICE_WORKER_STORE_ID,
  });
  return started.catch((error) => {
    started = null; // the next wake-up tries again
    throw error;
  });
}

/**
 * Adopts the stores of gone tabs and sends what can be sent. Rejects, so
 * that the browser wakes this service worker again later, if events that
 * consent allows are still stored here, or if stores are left that a live
 * tab holds: a sync asked for while a tab was leaving may come before its
 * worker has ended, and that tab's events are then adopted next time.
 */
async function deliverStored() {
  const handoff = await readHandoff();
  // No page of the origin opted in yet: nothing of ours is stored here.
  if (!handoff.config || !handoff.consent) return;
  const { storeId } = await startOrUpdate(handoff);
  const stats = await ask(Action.deliverStored);
  // What consent holds back waits for a change of consent, not for the network.
  const unsent = stats.queued - stats.heldByConsent;
  if (unsent > 0) {
    throw new Error(`event-producer: ${unsent} stored events not delivered yet (${stats.lastError ?? 'no answer'})`);
  }
  const held = (await storePaths()).filter((path) => path !== storePathOf(storeId));
  if (held.length) throw new Error(`event-producer: ${held.length} stores are still held by open tabs`);
}

/** @type {Promise<void> | null} */
let delivering = null;

/** One delivery at a time: a wake-up during one joins it. */
function deliverOnce() {
  delivering ??= deliverStored().finally(() => (delivering = null));
  return delivering;
}

scope.addEventListener('sync', (/** @type {any} */ event) => {
  if (event.tag === DELIVERY_SYNC_TAG) event.waitUntil(deliverOnce());
});

// Where Background Sync is missing (Firefox, Safari), the service worker's
// activation is the wake-up it gets without a page asking; a failure waits
// for the next one (or the next tab).
scope.addEventListener('activate', (/** @type {any} */ event) => {
  if (!scope.registration?.sync) event.waitUntil(deliverOnce().catch(() => {}));
});
