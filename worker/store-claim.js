// Which store this worker keeps its queue in: the tab's previous store when
// it is free (a reload), else a new one. In lock mode the store's Web Lock is
// held for the worker's lifetime, so no other tab claims or adopts it; in
// heartbeat mode (worker/store-names.js) a store whose worker answers on the
// tabs' channel is taken. The claimed store is listed in the registry
// (worker/store-registry.js) before any event is stored in it, so that it
// can be adopted once its tab is gone.
import { STORE_PREFIX, TABS_CHANNEL } from './store-names.js';
import { registerStore } from './store-registry.js';

// How long a claim waits for the registry before going on without it.
const REGISTRY_WAIT_MS = 2000;
// How long a claim waits for a live worker to say it has the store: workers
// answer at once, and a busy one within a few tasks.
const CLAIM_QUESTION_MS = 300;

/** @typedef {{ id: string, path: string }} StoreClaim */

/** A new store's id: random, so no other tab ever claims it. */
export function newStoreId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
}

/**
 * Chooses the folder this worker keeps its queue in: the tab's previous
 * store (`preferredId`) when it is free, else `freshId`; in lock mode, holds
 * its lock until the worker ends.
 * @param {string | undefined} preferredId
 * @param {string} [freshId]
 * @returns {Promise<StoreClaim>}
 */
export async function claimStore(preferredId, freshId = newStoreId()) {
  const locks = globalThis.navigator?.locks;
  for (const id of [preferredId, freshId, newStoreId()]) {
    if (!id) continue;
    if (!locks) {
      // A duplicated tab copies sessionStorage, and with it the store id:
      // a store whose worker answers is taken.
      if (id === preferredId && (await storeAnswers(STORE_PREFIX + id))) continue;
      return registered({ id, path: STORE_PREFIX + id });
    }
    if (await holdStoreLock(locks, STORE_PREFIX + id, { ifAvailable: true }))
      return registered({ id, path: STORE_PREFIX + id });
  }
  throw new Error('no store could be claimed');
}

/**
 * Holds the lock `name` for the worker's lifetime; resolves to whether it got
 * it. A script that takes it with `steal: true` (the lock's promise then
 * rejects) would leave the live store to the next adopter that finds the
 * lock free: the lock is asked for again at once, so it comes back as soon
 * as the thief lets go, ahead of any adopter (adopters only take a free lock).
 * @param {LockManager} locks
 * @param {string} name
 * @param {LockOptions} options
 * @returns {Promise<boolean>}
 */
function holdStoreLock(locks, name, options) {
  return new Promise((resolve) => {
    locks
      .request(name, options, (lock) => {
        resolve(!!lock);
        // Held for the worker's lifetime: the promise never settles.
        return lock ? new Promise(() => {}) : undefined;
      })
      .catch(() => holdStoreLock(locks, name, {}));
  });
}

/**
 * The claimed store, listed in the registry. A registry that can't be
 * written (IndexedDB unavailable) leaves the store unlisted: its events are
 * then in memory only anyway (a storage outage).
 * @param {StoreClaim} claim
 */
async function registered(claim) {
  // An IndexedDB that doesn't answer must not hold up init: the write may
  // still land, and else the next scan lists the store.
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const gaveUp = new Promise((resolve) => (timer = setTimeout(resolve, REGISTRY_WAIT_MS)));
  await Promise.race([registerStore(claim.path).catch(() => {}), gaveUp]);
  clearTimeout(timer);
  return claim;
}

/**
 * Heartbeat mode: true if a live worker answers that it has the store at `path`.
 * @param {string} path
 * @returns {Promise<boolean>}
 */
export function storeAnswers(path) {
  if (typeof BroadcastChannel !== 'function') return Promise.resolve(false);
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(TABS_CHANNEL);
    const done = (/** @type {boolean} */ answered) => {
      clearTimeout(timer);
      channel.close();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), CLAIM_QUESTION_MS);
    channel.onmessage = ({ data }) => {
      if (data?.alive === path) done(true);
    };
    channel.postMessage({ asking: path });
  });
}
