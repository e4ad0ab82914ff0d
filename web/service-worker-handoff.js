// What a page that opted in (init({ serviceWorker: true })) leaves for the
// service worker (worker/service-worker.js), which sends the events its tabs
// left behind once they are all closed.
//
// The service worker can read neither localStorage (where web/site-consent.js
// keeps the site's consent) nor the page's memory: the page copies into one
// IndexedDB database what it needs, and nothing else:
// - `config`: the core's config and the public endpoint. Never a token nor
//   the logged-in endpoint: no token is ever at rest, so the service worker
//   sends every event in the logged-out form, to the public endpoint.
// - `consent`: a mirror of the site's consent, written by web/site-consent.js
//   (its only owner) at every change it makes or hears. A mirror rather than
//   the sync registration's data: a one-off sync carries only its tag, and a
//   consent changed after the sync was registered must still hold when it fires.
//   A write never replaces a newer consent, whichever tab's write lands last.
//   Each change is also posted to the service worker, which wakes for it and
//   writes the mirror itself: a tab closed right after a change may take its
//   own write down with it, whereas a message posted before it closed is
//   delivered (see mirrorConsent).
import { isNewerConsent, readSiteConsent } from './site-consent.js';

export const HANDOFF_DATABASE = 'tep-service-worker';
const HANDOFF_OBJECTS = 'handoff';
/** The tag of the one-off Background Sync the page asks for and the service worker answers. */
export const DELIVERY_SYNC_TAG = 'tep-deliver-stored';
/** The `type` of the message carrying a change of consent to the service worker. */
export const CONSENT_MESSAGE_TYPE = 'tep-consent';

/**
 * @typedef {{ core: object, tlPublicConsumerUri: string }} ServiceWorkerConfig
 * @typedef {{ config: ServiceWorkerConfig | null, consent: import('./site-consent.js').SiteConsent | null }} Handoff
 */

/**
 * Resolves with the request's result once it succeeded.
 * @template T
 * @param {IDBRequest<T>} request
 * @returns {Promise<T>}
 */
function answerOf(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * Runs `work(objects)` in one transaction on the handoff database and resolves with what it returned once it committed.
 * @template T
 * @param {IDBTransactionMode} mode
 * @param {(objects: IDBObjectStore) => Promise<T>} work
 * @returns {Promise<T>}
 */
async function withHandoff(mode, work) {
  const opening = indexedDB.open(HANDOFF_DATABASE, 1);
  opening.onupgradeneeded = () => opening.result.createObjectStore(HANDOFF_OBJECTS);
  const db = await answerOf(opening);
  try {
    const transaction = db.transaction([HANDOFF_OBJECTS], mode);
    const committed = new Promise((resolve, reject) => {
      transaction.oncomplete = resolve;
      transaction.onabort = () => reject(transaction.error ?? new Error('the handoff transaction was aborted'));
    });
    const result = await work(transaction.objectStore(HANDOFF_OBJECTS));
    await committed;
    return result;
  } finally {
    db.close();
  }
}

const hasIndexedDb = () => typeof indexedDB !== 'undefined' && indexedDB !== null;

/**
 * Mirrors the site's consent, unless the mirror holds a newer one: the
 * page's write, and the service worker's of a change it was told of. Where
 * the write fails (a full quota, say), the mirror is removed: a service
 * worker without one delivers nothing and the next tab sends the events,
 * whereas one acting on the older consent could send a category the user
 * has just blocked. Rejects with the write's error.
 * @param {import('./site-consent.js').SiteConsent} consent
 */
export async function writeMirror(consent) {
  try {
    await withHandoff('readwrite', async (objects) => {
      const held = readSiteConsent(await answerOf(objects.get('consent')));
      if (!held || isNewerConsent(consent, held)) await answerOf(objects.put(consent, 'consent'));
    });
  } catch (error) {
    // Where the removal fails too, its error is the one the app hears.
    await withHandoff('readwrite', (objects) => answerOf(objects.delete('consent')));
    throw error;
  }
}

/**
 * What the pages left: the config and the consent, each null where no page
 * opted in yet (the database is then created empty).
 * @returns {Promise<Handoff>}
 */
export function readHandoff() {
  return withHandoff('readonly', async (objects) => {
    const config = await answerOf(objects.get('config'));
    const consent = readSiteConsent(await answerOf(objects.get('consent')));
    const usable = config && typeof config === 'object' && typeof config.tlPublicConsumerUri === 'string';
    return { config: usable ? config : null, consent };
  });
}

/**
 * The page's side of the hand-off (web/index.js makes one, once the app
 * opted in). It keeps the origin's service worker registrations it last
 * saw (at init, at each request for a sync or change of consent, and once
 * the page's own registration is active), so that a change of consent is
 * posted to them within the task that made it: getRegistrations() answers a
 * round trip later, which a tab closed right after the change may not live
 * to see.
 */
export function createPageHandoff() {
  /** @type {readonly ServiceWorkerRegistration[]} */
  let registrations = [];
  const container = () => globalThis.navigator?.serviceWorker;

  /** The origin's registrations now, kept for the next change of consent. */
  async function refreshRegistrations() {
    // Refused where service workers are turned off (a private window, say):
    // then none is registered, and none can send anything to be told of.
    registrations =
      (await container()
        ?.getRegistrations()
        .catch(() => [])) ?? [];
    return registrations;
  }

  /**
   * Posts `consent` to the service worker that controls the page and to the
   * active one of each registration seen, at once, then to those of
   * registrations made since. The one that runs worker/service-worker.js
   * takes it; others see a message `type` they don't know.
   * @param {import('./site-consent.js').SiteConsent} consent
   */
  async function tellServiceWorkers(consent) {
    const message = { type: CONSENT_MESSAGE_TYPE, consent };
    /** @type {Set<ServiceWorker>} */
    const told = new Set();
    const tell = (/** @type {ServiceWorker | null | undefined} */ worker) => {
      if (!worker || told.has(worker)) return;
      told.add(worker);
      worker.postMessage(message);
    };
    tell(container()?.controller);
    for (const registration of registrations) tell(registration.active);
    for (const registration of await refreshRegistrations()) tell(registration.active);
  }

  // An app often registers its service worker after init(): once one whose
  // scope covers the page is active (`ready`, which never settles where
  // none is), it is among those told within the task of a change.
  container()
    ?.ready?.then(refreshRegistrations)
    .catch(() => {}); // refused as getRegistrations() is: none to tell

  return {
    /**
     * Keeps what the service worker needs of the app's config (copyConfig's
     * result): the core's part and the public endpoint.
     * @param {ServiceWorkerConfig} config
     */
    async rememberConfig({ core, tlPublicConsumerUri }) {
      const kept = hasIndexedDb()
        ? withHandoff('readwrite', (objects) => answerOf(objects.put({ core, tlPublicConsumerUri }, 'config')))
        : null;
      await Promise.all([refreshRegistrations(), kept]);
    },

    /**
     * Mirrors the site's consent (writeMirror). A change (`changed`, not the
     * consent a tab starts with) is first posted to the service workers of
     * the origin: a message wakes one that is not running, and it mirrors
     * the change itself (worker/service-worker.js). The tab's own write
     * takes several round trips to IndexedDB, and a tab closed meanwhile
     * loses it. Rejects with the first failure, for the app to hear.
     * @param {import('./site-consent.js').SiteConsent} consent
     * @param {{ changed?: boolean }} [options]
     */
    async mirrorConsent(consent, { changed = false } = {}) {
      const outcomes = await Promise.allSettled([
        changed ? tellServiceWorkers(consent) : null,
        hasIndexedDb() ? writeMirror(consent) : null,
      ]);
      for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    },

    /**
     * Asks every service worker registration of the origin for a one-off
     * Background Sync: the one that runs worker/service-worker.js answers it,
     * others ignore a tag they don't know. Where the API is missing (Firefox,
     * Safari), does nothing: the next tab sends the events, as without a
     * service worker. Resolves to how many registrations took the request.
     */
    async askForDelivery() {
      let asked = 0;
      for (const registration of await refreshRegistrations()) {
        const sync = /** @type {any} */ (registration).sync;
        if (!sync || !registration.active) continue;
        try {
          await sync.register(DELIVERY_SYNC_TAG);
          asked++;
        } catch {
          // refused (permission denied, the registration gone): the next tab sends them
        }
      }
      return asked;
    },
  };
}
