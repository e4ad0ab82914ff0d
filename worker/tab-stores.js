// Many tabs, one origin: every tab's worker keeps its queue in its own
// IndexedDB database (IDBFS mounted at its own path), so no tab's sync can
// erase another tab's files. A store whose tab is gone (closed, crashed,
// reloaded into a new store) is adopted by a live tab: its events are copied
// into the adopter's queue, made durable, and only then is the old database
// deleted. An event is therefore never lost, and is sent twice only if its
// tab died after sending it and before the confirmation was stored.
//
// Liveness comes from Web Locks where they exist: each tab holds the lock
// named after its store for as long as its worker lives, and an adopter must
// win that lock, so no two tabs adopt the same store. Without navigator.locks
// (plain http to an address other than localhost) tabs announce themselves
// on a BroadcastChannel instead, and a store is adopted only after no
// heartbeat for it has been heard for a while: a frozen tab that wakes up
// again may then send duplicates, but nothing is lost.

const STORE_PREFIX = '/tep-store-';
const CHANNEL = 'tep-tabs';
// Heartbeat mode: announce every 2 s; a store silent for 15 s is orphaned
// (long enough for a busy main thread or a throttled timer).
const HEARTBEAT_MS = 2000;
const SILENCE_MS = 15000;
// How often live tabs look for orphaned stores.
const ADOPTION_SCAN_MS = 10000;
// IDBFS keeps files in this object store of a database named by the mount path.
const IDBFS_OBJECT_STORE = 'FILE_DATA';

export const coordination = () => (self.navigator?.locks ? 'locks' : 'heartbeat');

function randomStoreId() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2);
}

/**
 * Chooses the path this worker mounts: the tab's previous store when it is
 * free (a reload), else a new one; in lock mode, holds its lock until the
 * worker ends.
 */
export async function claimStore(preferredId) {
  const locks = self.navigator?.locks;
  for (const id of [preferredId, randomStoreId(), randomStoreId()]) {
    if (!id) continue;
    if (!locks) return { id, path: STORE_PREFIX + id };
    const held = await new Promise((resolve) => {
      locks.request(STORE_PREFIX + id, { ifAvailable: true }, (lock) => {
        resolve(!!lock);
        // Held for the worker's lifetime: the promise never settles.
        return lock ? new Promise(() => {}) : undefined;
      });
    });
    if (held) return { id, path: STORE_PREFIX + id };
  }
  throw new Error('no store could be claimed');
}

function openDatabase(name) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    // A database without IDBFS's store is not ours to read: abort its creation.
    request.onupgradeneeded = () => request.transaction.abort();
  });
}

/** Every file of an IDBFS database: [{ name, contents: Uint8Array }]. */
async function readStoreFiles(path) {
  const db = await openDatabase(path);
  try {
    if (!db.objectStoreNames.contains(IDBFS_OBJECT_STORE)) return [];
    return await new Promise((resolve, reject) => {
      const files = [];
      const transaction = db.transaction([IDBFS_OBJECT_STORE], 'readonly');
      const cursor = transaction.objectStore(IDBFS_OBJECT_STORE).openCursor();
      cursor.onsuccess = () => {
        const entry = cursor.result;
        if (!entry) return resolve(files);
        const key = String(entry.key);
        const value = entry.value;
        if (value && value.contents && key.startsWith(path + '/')) {
          files.push({ name: key.slice(path.length + 1), contents: new Uint8Array(value.contents) });
        }
        entry.continue();
      };
      cursor.onerror = () => reject(cursor.error);
    });
  } finally {
    db.close();
  }
}

function deleteDatabase(name) {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
}

async function storePaths() {
  if (!indexedDB.databases) return [];
  const databases = await indexedDB.databases();
  return databases.map((d) => d.name).filter((name) => name && name.startsWith(STORE_PREFIX));
}

/**
 * Watches for stores of tabs that are gone and adopts them.
 * `adopt(files)` copies the files' events into this tab's queue and resolves
 * once that is durable.
 */
export function watchForOrphans({ ownPath, adopt, onAdopted, onError }) {
  const heard = new Map(); // path → last heartbeat time (heartbeat mode)
  const startedAt = Date.now();
  let channel = null;
  let heartbeat = 0;
  if (coordination() === 'heartbeat' && typeof BroadcastChannel === 'function') {
    channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = ({ data }) => {
      if (data?.alive) heard.set(data.alive, Date.now());
    };
    const announce = () => channel.postMessage({ alive: ownPath });
    announce();
    heartbeat = setInterval(announce, HEARTBEAT_MS);
  }

  async function takeOver(path) {
    const files = await readStoreFiles(path);
    const taken = files.length ? await adopt(files) : 0;
    await deleteDatabase(path);
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

  let scanning = false;
  async function scan() {
    if (scanning) return;
    scanning = true;
    try {
      for (const path of await storePaths()) {
        if (path !== ownPath) await tryAdopt(path);
      }
    } catch (error) {
      onError?.(error);
    } finally {
      scanning = false;
    }
  }

  const timer = setInterval(scan, ADOPTION_SCAN_MS);
  return {
    scan,
    stop() {
      clearInterval(timer);
      clearInterval(heartbeat);
      channel?.close();
    },
  };
}

/** Shares outage transitions between the tabs of the origin. */
export function outageChannel(onRemoteChange) {
  if (typeof BroadcastChannel !== 'function') return { publish() {} };
  const channel = new BroadcastChannel('tep-outage');
  channel.onmessage = ({ data }) => onRemoteChange(!!data?.outage);
  return { publish: (outage) => channel.postMessage({ outage }) };
}
