// Many tabs, one origin: every tab's worker keeps its queue in its own
// IndexedDB database (a stored folder at its own path), so no tab's sync can
// erase another tab's files. A store whose tab is gone (closed, crashed,
// reloaded into a new store) is adopted by a live tab: its events are copied
// into the adopter's queue, made durable, and only then is the old database
// deleted. An event is therefore never lost, and is sent twice only if its
// tab died after sending it and before the confirmation was stored. Files of
// the old store the adopter could not read (a later release's) are copied
// into a database of their own first (keptAsidePath), never deleted.
//
// Liveness comes from Web Locks where they exist: each tab holds the lock
// named after its store for as long as its worker lives, and an adopter must
// win that lock, so no two tabs adopt the same store. Without navigator.locks
// (plain http to an address other than localhost) tabs announce themselves
// on a BroadcastChannel instead, and a store is adopted only after no
// heartbeat for it has been heard for a while: a frozen tab that wakes up
// again may then send duplicates, but nothing is lost.

import { createOrphanScan } from './orphan-scan.js';

const STORE_PREFIX = '/tep-store-';
// Where an adopter keeps the files of an adopted store it could not read
// (a later release's): a name the scan for stores never matches.
const KEPT_ASIDE_PREFIX = '/tep-quarantine-';
// A database of kept-aside files is removed once its newest file was kept
// aside this long ago: long enough for a release rolled back to be rolled
// forward again (what brings a later release's files before this one), and
// short enough that such databases never pile up for good.
const KEPT_ASIDE_FOR_MS = 30 * 24 * 60 * 60 * 1000;
const CHANNEL = 'tep-tabs';
// Heartbeat mode: announce every 2 s; a store silent for 15 s is orphaned
// (long enough for a busy main thread or a throttled timer).
const HEARTBEAT_MS = 2000;
const SILENCE_MS = 15000;
// How often live tabs look for orphaned stores.
const ADOPTION_SCAN_MS = 10000;

export const isStorePath = (value) =>
  typeof value === 'string' && value.startsWith(STORE_PREFIX) && value.length <= 200;

/** The database that keeps the unreadable files of the adopted store at `storePath`. */
export const keptAsidePath = (storePath) => KEPT_ASIDE_PREFIX + storePath.slice(STORE_PREFIX.length);
/** The folder (and database name) of the store with id `id`. */
export const storePathOf = (id) => STORE_PREFIX + id;

export const coordination = () => (self.navigator?.locks ? 'locks' : 'heartbeat');

// Where the browser can't list an origin's databases (indexedDB.databases()
// is missing before Firefox 126), the workers keep the list of stores
// themselves: one database, one object store, one record per store path.
// Its name never matches the scan for stores.
const REGISTRY_NAME = 'tep-store-registry';
const REGISTRY_STORE = 'stores';
// How long a claim waits for the registry before going on without it.
const REGISTRY_WAIT_MS = 2000;
const listsDatabases = () => typeof self.indexedDB?.databases === 'function';

/** Runs `work(objectStore)` in one transaction of the registry; resolves once it completes. */
function inRegistry(mode, work) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(REGISTRY_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(REGISTRY_STORE);
    open.onerror = () => reject(open.error);
    open.onblocked = () => reject(new Error('the store registry is blocked'));
    open.onsuccess = () => {
      const db = open.result;
      let result;
      try {
        const transaction = db.transaction([REGISTRY_STORE], mode);
        const request = work(transaction.objectStore(REGISTRY_STORE));
        if (request) request.onsuccess = () => (result = request.result);
        transaction.oncomplete = () => {
          db.close();
          resolve(result);
        };
        transaction.onabort = transaction.onerror = () => {
          db.close();
          reject(transaction.error ?? new Error('the store registry transaction failed'));
        };
      } catch (error) {
        db.close();
        reject(error);
      }
    };
  });
}

/** Adds this tab's store to the registry, where the browser can't list databases. */
async function registerStore(path) {
  if (listsDatabases()) return;
  await inRegistry('readwrite', (stores) => stores.put(Date.now(), path));
}

/** Takes an adopted store (its database deleted) off the registry. */
async function unregisterStore(path) {
  if (listsDatabases()) return;
  await inRegistry('readwrite', (stores) => stores.delete(path));
}

/** Names of this origin's IDBFS databases that start with `prefix`. */
async function databasesNamed(prefix) {
  const names = listsDatabases()
    ? (await indexedDB.databases()).map((d) => d.name)
    : await inRegistry('readonly', (stores) => stores.getAllKeys());
  return names.filter((name) => typeof name === 'string' && name.startsWith(prefix));
}

/** Paths of the stores (IDBFS databases, named by their folder's path) in this origin. */
export const storePaths = () => databasesNamed(STORE_PREFIX);

/** Lists a database of kept-aside files in the registry, where the browser can't list databases. */
export const registerKeptAside = (path) => registerStore(path);

/** When the newest file in the database `path` (IDBFS's `timestamp` index) was stored, in ms; 0 if none. */
function newestTimestamp(path) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(path);
    // A database that did not exist: nothing in it, and it goes with the others.
    open.onupgradeneeded = () => open.transaction?.abort();
    open.onerror = () => resolve(0);
    open.onsuccess = () => {
      const db = open.result;
      try {
        const newest = db
          .transaction(['FILE_DATA'], 'readonly')
          .objectStore('FILE_DATA')
          .index('timestamp')
          .openCursor(null, 'prev');
        newest.onsuccess = () => {
          db.close();
          resolve(newest.result ? new Date(newest.result.value.timestamp).getTime() || 0 : 0);
        };
        newest.onerror = () => {
          db.close();
          reject(newest.error);
        };
      } catch (error) {
        db.close();
        reject(error);
      }
    };
  });
}

/** Deletes the databases of kept-aside files whose newest file was kept aside KEPT_ASIDE_FOR_MS ago or more. */
async function removeExpiredKeptAside(now = Date.now()) {
  for (const path of await databasesNamed(KEPT_ASIDE_PREFIX)) {
    if (now - (await newestTimestamp(path)) < KEPT_ASIDE_FOR_MS) continue;
    await new Promise((resolve) => {
      const deleting = indexedDB.deleteDatabase(path);
      deleting.onsuccess = deleting.onerror = deleting.onblocked = () => resolve(undefined);
    });
    await unregisterStore(path);
  }
}

/** A new store's id: random, so no other tab ever claims it. */
export function newStoreId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
}

/**
 * Chooses the folder this worker keeps its queue in: the tab's previous
 * store when it is free (a reload), else a new one; in lock mode, holds its lock until the
 * worker ends.
 */
export async function claimStore(preferredId, freshId = newStoreId()) {
  const locks = self.navigator?.locks;
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
 * The claimed store, listed in the registry before any event is stored in
 * it, so that it can be adopted once its tab is gone. A registry that can't
 * be written (IndexedDB unavailable) leaves the store unlisted: its events
 * are then in memory only anyway (a storage outage).
 */
async function registered(claim) {
  // An IndexedDB that doesn't answer must not hold up init: the write may
  // still land, and else the next scan lists the store.
  let timer;
  const gaveUp = new Promise((resolve) => (timer = setTimeout(resolve, REGISTRY_WAIT_MS)));
  await Promise.race([registerStore(claim.path).catch(() => {}), gaveUp]);
  clearTimeout(timer);
  return claim;
}

// How long a claim waits for a live worker to say it has the store: workers
// answer at once, and a busy one within a few tasks.
const CLAIM_QUESTION_MS = 300;

/** Heartbeat mode: true if a live worker answers that it has the store at `path`. */
function storeAnswers(path) {
  if (typeof BroadcastChannel !== 'function') return Promise.resolve(false);
  return new Promise((resolve) => {
    const channel = new BroadcastChannel(CHANNEL);
    const done = (answered) => {
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

/**
 * Watches for stores of tabs that are gone and adopts them.
 * `adopt(path)` copies the store's events into this tab's queue and, once
 * that is durable, deletes the store, or keeps it with the events that did
 * not fit; it resolves to how many events it took and whether it deleted
 * the store.
 * @param {{
 *   ownPath: string,
 *   adopt: (path: string) => Promise<{ taken: number, deleted: boolean }>,
 *   onAdopted?: (path: string, taken: number) => void,
 *   onError?: (error: unknown) => void,
 * }} options
 */
export function watchForOrphans({ ownPath, adopt, onAdopted, onError }) {
  const heard = new Map(); // path → last heartbeat time (heartbeat mode)
  // Stores this tab is adopting: announced as alive in heartbeat mode, as
  // their locks are held in lock mode, so no other tab adopts them meanwhile.
  const adopting = new Set();
  const startedAt = Date.now();
  let channel = null;
  let heartbeat = 0;
  let rejected = 0;
  if (coordination() === 'heartbeat' && typeof BroadcastChannel === 'function') {
    channel = new BroadcastChannel(CHANNEL);
    const announce = () => {
      for (const path of [ownPath, ...adopting]) channel.postMessage({ alive: path });
    };
    channel.onmessage = ({ data }) => {
      // Only a store's path keeps that store from adoption; anything else is noise.
      if (isStorePath(data?.alive)) heard.set(data.alive, Date.now());
      else if (isStorePath(data?.asking)) {
        if (data.asking === ownPath) announce(); // a new tab wants this store: it is taken
      } else rejected++;
    };
    announce();
    heartbeat = setInterval(announce, HEARTBEAT_MS);
  }

  async function takeOver(path) {
    adopting.add(path);
    const { taken, deleted } = await adopt(path).finally(() => adopting.delete(path));
    // Its database is gone: no later scan should find it listed.
    if (deleted) await unregisterStore(path).catch((error) => onError?.(error));
    onAdopted?.(path, taken);
  }

  async function tryAdopt(path) {
    const locks = self.navigator?.locks;
    if (locks) {
      // Winning the store's lock proves its tab is gone, and keeps other
      // adopters out until the copy is durable and the database deleted.
      await locks.request(path, { ifAvailable: true }, async (lock) => {
        if (lock) await takeOver(path);
      });
      return;
    }
    const now = Date.now();
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
      registerStore(ownPath).then(() => {
        removeExpiredKeptAside().catch((error) => onError?.(error));
        return storePaths();
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
