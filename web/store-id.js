// The tab's store (its IndexedDB database) outlives a reload: its id is
// remembered in sessionStorage, which is per tab and per origin.
const STORE_ID_KEY = 'tep-store-id';

/** @typedef {{ getItem(key: string): string | null, setItem(key: string, value: string): void }} TabStorage */

/** sessionStorage, or null where it is missing or blocked. */
function tabStorage() {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // a sandboxed frame: reading the property throws
  }
}

/**
 * The id of the store this tab used before a reload, if any.
 * @param {TabStorage | null} [storage]
 * @returns {string | undefined}
 */
export function rememberedStoreId(storage = tabStorage()) {
  try {
    return storage?.getItem(STORE_ID_KEY) ?? undefined;
  } catch {
    return undefined; // storage blocked: a new store each load, adopted later
  }
}

/**
 * Remembers `id` as this tab's store.
 * @param {string} id
 * @param {TabStorage | null} [storage]
 */
export function rememberStoreId(id, storage = tabStorage()) {
  try {
    storage?.setItem(STORE_ID_KEY, id);
  } catch {
    // see rememberedStoreId
  }
}
