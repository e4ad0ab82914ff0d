// Where the browser can't list an origin's databases (indexedDB.databases()
// is missing before Firefox 126), the workers keep the list of stores
// themselves: one database, one object store, one record per store path.
// Its name never matches the scan for stores. This module lists the stores
// either way, and removes the kept-aside files' databases once they are due.
import { KEPT_ASIDE_PREFIX, STORE_PREFIX } from './store-names.js';

const REGISTRY_NAME = 'tep-store-registry';
const REGISTRY_STORE = 'stores';
// A database of kept-aside files is removed once its newest file was kept
// aside this long ago: long enough for a release rolled back to be rolled
// forward again (what brings a later release's files before this one), and
// short enough that such databases never pile up for good.
export const KEPT_ASIDE_FOR_MS = 30 * 24 * 60 * 60 * 1000;

const listsDatabases = () => typeof globalThis.indexedDB?.databases === 'function';

/**
 * Runs `work(objectStore)` in one transaction of the registry; resolves, to
 * the result of the request `work` returns if any, once it completes.
 * @param {IDBTransactionMode} mode
 * @param {(stores: IDBObjectStore) => IDBRequest | void} work
 * @returns {Promise<any>}
 */
function inRegistry(mode, work) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(REGISTRY_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(REGISTRY_STORE);
    open.onerror = () => reject(open.error);
    open.onblocked = () => reject(new Error('the store registry is blocked'));
    open.onsuccess = () => {
      const db = open.result;
      /** @type {unknown} */
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

/** Adds the store (or kept-aside database) at `path` to the registry, where the browser can't list databases. @param {string} path */
export async function registerStore(path) {
  if (listsDatabases()) return;
  await inRegistry('readwrite', (stores) => stores.put(Date.now(), path));
}

/** Takes an adopted store (its database deleted) off the registry. @param {string} path */
export async function unregisterStore(path) {
  if (listsDatabases()) return;
  await inRegistry('readwrite', (stores) => stores.delete(path));
}

/** Names of this origin's IDBFS databases that start with `prefix`. @param {string} prefix @returns {Promise<string[]>} */
async function databasesNamed(prefix) {
  /** @type {unknown[]} */
  const names = listsDatabases()
    ? (await indexedDB.databases()).map((d) => d.name)
    : await inRegistry('readonly', (stores) => stores.getAllKeys());
  return names.filter((name) => typeof name === 'string' && name.startsWith(prefix)).map(String);
}

/** Paths of the stores (IDBFS databases, named by their folder's path) in this origin. */
export const storePaths = () => databasesNamed(STORE_PREFIX);

/** Lists a database of kept-aside files in the registry, where the browser can't list databases. @param {string} path */
export const registerKeptAside = (path) => registerStore(path);

/**
 * When the newest file in the database `path` (IDBFS's `timestamp` index) was stored, in ms; 0 if none.
 * @param {string} path
 * @returns {Promise<number>}
 */
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
export async function removeExpiredKeptAside(now = Date.now()) {
  for (const path of await databasesNamed(KEPT_ASIDE_PREFIX)) {
    if (now - (await newestTimestamp(path)) < KEPT_ASIDE_FOR_MS) continue;
    await new Promise((resolve) => {
      const deleting = indexedDB.deleteDatabase(path);
      deleting.onsuccess = deleting.onerror = deleting.onblocked = () => resolve(undefined);
    });
    await unregisterStore(path);
  }
}
