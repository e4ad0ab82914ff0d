// Many tabs, one origin: every tab's worker keeps its queue in its own
// IndexedDB database (a stored folder at its own path), so no tab's sync can
// erase another tab's files. A store whose tab is gone (closed, crashed,
// reloaded into a new store) is adopted by a live tab (worker/orphan-watch.js,
// worker/adoption.js). These are the names the tabs share: the stores' paths,
// the kept-aside files' databases, the tabs' channel, and how a tab tells that
// another is alive.
//
// Liveness comes from Web Locks where they exist: each tab holds the lock
// named after its store for as long as its worker lives. Without
// navigator.locks (plain http to an address other than localhost) tabs
// announce themselves on a BroadcastChannel instead (heartbeat mode).

export const STORE_PREFIX = '/tep-store-';
// Where an adopter keeps the files of an adopted store it could not read
// (a later release's): a name the scan for stores never matches.
export const KEPT_ASIDE_PREFIX = '/tep-quarantine-';
// The channel on which tabs announce their stores (heartbeat mode) and ask
// whether a store's worker is alive.
export const TABS_CHANNEL = 'tep-tabs';

/** @param {unknown} value @returns {value is string} */
export const isStorePath = (value) =>
  typeof value === 'string' && value.startsWith(STORE_PREFIX) && value.length <= 200;

/** The database that keeps the unreadable files of the adopted store at `storePath`. @param {string} storePath */
export const keptAsidePath = (storePath) => KEPT_ASIDE_PREFIX + storePath.slice(STORE_PREFIX.length);
/** The folder (and database name) of the store with id `id`. @param {string} id */
export const storePathOf = (id) => STORE_PREFIX + id;

/** How tabs tell each other they are alive here: Web Locks, or heartbeats where there are none. */
/** @returns {'locks' | 'heartbeat'} */
export const coordination = () => (globalThis.navigator?.locks ? 'locks' : 'heartbeat');
