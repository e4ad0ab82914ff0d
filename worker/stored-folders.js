// Folders of files in IndexedDB, in the layout of Emscripten's IDBFS: one
// database per folder, named by the folder's path, at IDBFS's version, with
// its object store 'FILE_DATA' (and the 'timestamp' index IDBFS creates),
// holding one record per file, keyed '<folder>/<name>', with the value
// { timestamp: Date, mode, contents: Uint8Array }. A folder IDBFS stored
// loads here, and IDBFS loads what is stored here (tests/browser/idbfs.test.mjs).

const IDBFS_VERSION = 21;
const FILE_STORE = 'FILE_DATA';
// A regular file readable and writable by all (S_IFREG | 0666): the mode
// IDBFS stores for the files a program creates, and checks on load.
const REGULAR_FILE_MODE = 0o100666;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Opens the folder's database, creating it as IDBFS does if it is missing. */
function openFolderDatabase(path) {
  const req = indexedDB.open(path, IDBFS_VERSION);
  req.onupgradeneeded = () => {
    const db = req.result;
    const files = db.objectStoreNames.contains(FILE_STORE)
      ? req.transaction.objectStore(FILE_STORE)
      : db.createObjectStore(FILE_STORE);
    if (!files.indexNames.contains('timestamp')) files.createIndex('timestamp', 'timestamp', { unique: false });
  };
  return request(req);
}

/** Opens the folder's database if it exists and is a stored folder; else null. */
async function openExistingFolderDatabase(path) {
  const req = indexedDB.open(path);
  // A missing database would be created empty by this open: abort that.
  req.onupgradeneeded = () => req.transaction.abort();
  let db;
  try {
    db = await request(req);
  } catch (error) {
    if (error?.name === 'AbortError') return null;
    throw error;
  }
  if (db.objectStoreNames.contains(FILE_STORE)) return db;
  db.close();
  return null;
}

/** Every file of the folder in `db`: [{ name, contents: Uint8Array }]. */
async function readFiles(db, path) {
  const transaction = db.transaction([FILE_STORE], 'readonly');
  const store = transaction.objectStore(FILE_STORE);
  // Keys under '<path>/': '0' is the character after '/'.
  const keys = await request(store.getAllKeys(IDBKeyRange.bound(`${path}/`, `${path}0`, false, true)));
  // One get per file, all issued at once: Chromium answers these ~4x faster
  // than one getAll or a cursor over the same 32 KiB values (10k events:
  // ~80 ms against ~340 ms).
  const values = await Promise.all(keys.map((key) => request(store.get(key))));
  const files = [];
  keys.forEach((key, i) => {
    const name = String(key).slice(path.length + 1);
    const contents = values[i]?.contents;
    // Folders inside the folder are IDBFS records without contents: not the queue's.
    if (!contents || name.includes('/')) return;
    files.push({ name, contents: contents instanceof Uint8Array ? contents : new Uint8Array(contents) });
  });
  return files;
}

/**
 * The stored folder at `path`, opened once and kept open: `load()` reads its
 * files, `store(files)` writes [{ name, contents }] in one transaction
 * (contents undefined: the file is deleted) and resolves once it committed.
 *
 * A connection closed under the worker (the browser closes it when the user
 * clears the site's data) may mean the database is gone with every file in
 * it: `lost` then says so until a store with `{ everything: true }` has
 * written the whole folder again; the next call opens the database anew.
 */
export function storedFolder(path) {
  let opened = null;
  let lost = false;
  const forget = () => {
    opened = null;
    lost = true;
  };
  const database = () =>
    (opened ??= openFolderDatabase(path).then(
      (db) => {
        db.onclose = forget; // fired only when the browser closes it
        return db;
      },
      (error) => {
        opened = null;
        throw error;
      },
    ));

  return {
    get lost() {
      return lost;
    },

    async load() {
      return readFiles(await database(), path);
    },

    async store(files, { everything = false } = {}) {
      const db = await database();
      try {
        await new Promise((resolve, reject) => {
          const transaction = db.transaction([FILE_STORE], 'readwrite');
          transaction.oncomplete = () => resolve();
          transaction.onabort = () => reject(transaction.error || new Error('IndexedDB transaction aborted'));
          const store = transaction.objectStore(FILE_STORE);
          const timestamp = new Date();
          for (const { name, contents } of files) {
            const key = `${path}/${name}`;
            // A copy of exactly the file's bytes: a view would store its whole buffer.
            if (contents) store.put({ timestamp, mode: REGULAR_FILE_MODE, contents: contents.slice() }, key);
            else store.delete(key);
          }
        });
      } catch (error) {
        // What a transaction on a closed connection throws.
        if (error?.name === 'InvalidStateError') forget();
        throw error;
      }
      if (everything) lost = false;
    },
  };
}

/** The files of another tab's stored folder, without creating it; [] if there is none. */
export async function readStoredFolder(path) {
  const db = await openExistingFolderDatabase(path);
  if (!db) return [];
  try {
    return await readFiles(db, path);
  } finally {
    db.close();
  }
}

/** Deletes the folder's database; resolves also when that fails or is blocked. */
export function deleteStoredFolder(path) {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(path);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/** Paths of the stored folders whose path starts with `prefix`. */
export async function storedFolderPaths(prefix) {
  if (!indexedDB.databases) return [];
  const databases = await indexedDB.databases();
  return databases.map((d) => d.name).filter((name) => name && name.startsWith(prefix));
}
