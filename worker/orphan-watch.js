// Watches for the stores of tabs that are gone and adopts them
// (worker/adoption.js copies their events). An event is never lost, and is
// sent twice only if its tab died after sending it and before the
// confirmation was stored.
//
// In lock mode an adopter must win a store's Web Lock, so no two tabs adopt
// the same store. In heartbeat mode (no navigator.locks) tabs announce their
// stores on the tabs' channel, and a store is adopted only after no
// heartbeat for it has been heard for a while: a frozen tab that wakes up
// again may then send duplicates, but nothing is lost.
import { createOrphanScan } from './orphan-scan.js';
import { coordination, isStorePath, TABS_CHANNEL } from './store-names.js';
import { registerStore, removeExpiredKeptAside, storePaths, unregisterStore } from './store-registry.js';

// Heartbeat mode: announce every 2 s; a store silent for 15 s is orphaned
// (long enough for a busy main thread or a throttled timer).
export const HEARTBEAT_MS = 2000;
export const SILENCE_MS = 15000;
// How often live tabs look for orphaned stores.
export const ADOPTION_SCAN_MS = 10000;

/**
 * Watches for stores of tabs that are gone and adopts them.
 * `adopt(path)` copies the store's events into this tab's queue and, once
 * that is durable, deletes the store, or keeps it with the events that did
 * not fit; it resolves to how many events it took and whether it deleted
 * the store. `stores`: the origin's stores, as worker/store-registry.js
 * lists and unlists them.
 * @param {{
 *   ownPath: string,
 *   adopt: (path: string) => Promise<{ taken: number, deleted: boolean }>,
 *   onAdopted?: (path: string, taken: number) => void,
 *   onError?: (error: unknown) => void,
 *   stores?: {
 *     list: () => Promise<string[]>, register: (path: string) => Promise<void>,
 *     unregister: (path: string) => Promise<void>, removeExpired: () => Promise<void>,
 *   },
 *   clock?: () => number,
 * }} options
 */
export function watchForOrphans({
  ownPath,
  adopt,
  onAdopted,
  onError,
  stores = {
    list: storePaths,
    register: registerStore,
    unregister: unregisterStore,
    removeExpired: () => removeExpiredKeptAside(),
  },
  clock = Date.now,
}) {
  /** @type {Map<string, number>} path → last heartbeat time (heartbeat mode) */
  const heard = new Map();
  // Stores this tab is adopting: announced as alive in heartbeat mode, as
  // their locks are held in lock mode, so no other tab adopts them meanwhile.
  /** @type {Set<string>} */
  const adopting = new Set();
  const startedAt = clock();
  /** @type {BroadcastChannel | null} */
  let channel = null;
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let heartbeat;
  let rejected = 0;
  if (coordination() === 'heartbeat' && typeof BroadcastChannel === 'function') {
    const tabs = new BroadcastChannel(TABS_CHANNEL);
    channel = tabs;
    const announce = () => {
      for (const path of [ownPath, ...adopting]) tabs.postMessage({ alive: path });
    };
    tabs.onmessage = ({ data }) => {
      // Only a store's path keeps that store from adoption; anything else is noise.
      if (isStorePath(data?.alive)) heard.set(data.alive, clock());
      else if (isStorePath(data?.asking)) {
        if (data.asking === ownPath) announce(); // a new tab wants this store: it is taken
      } else rejected++;
    };
    announce();
    heartbeat = setInterval(announce, HEARTBEAT_MS);
  }

  /** @param {string} path */
  async function takeOver(path) {
    adopting.add(path);
    const { taken, deleted } = await adopt(path).finally(() => adopting.delete(path));
    // Its database is gone: no later scan should find it listed.
    if (deleted) await stores.unregister(path).catch((error) => onError?.(error));
    onAdopted?.(path, taken);
  }

  /** @param {string} path */
  async function tryAdopt(path) {
    const locks = globalThis.navigator?.locks;
    if (locks) {
      // Winning the store's lock proves its tab is gone, and keeps other
      // adopters out until the copy is durable and the database deleted.
      await locks.request(path, { ifAvailable: true }, async (lock) => {
        if (lock) await takeOver(path);
      });
      return;
    }
    const now = clock();
    if (now - startedAt < SILENCE_MS) return; // not listened long enough yet
    if (now - (heard.get(path) ?? 0) < SILENCE_MS) return;
    await takeOver(path);
  }

  const scan = createOrphanScan({
    ownPath,
    // The registry goes with the site's data when the user clears it under
    // a running tab: each scan lists this tab's store again.
    // Each scan also removes the kept-aside files' databases that are due.
    listStores: () =>
      stores.register(ownPath).then(() => {
        stores.removeExpired().catch((error) => onError?.(error));
        return stores.list();
      }),
    tryAdopt,
    onError,
  });

  const timer = setInterval(scan, ADOPTION_SCAN_MS);
  return {
    scan,
    /** Heartbeat messages of another shape, ignored. */
    rejected: () => rejected,
    stop() {
      clearInterval(timer);
      clearInterval(heartbeat);
      channel?.close();
    },
  };
}
