// Whether this tab's store is kept in IndexedDB (persistent) or in memory
// only, and the last storage error, for init's answer and getStats().

/** The text of `error`, for getStats()'s storageError. @param {unknown} error */
const describe = (error) => String(/** @type {{ message?: unknown }} */ (error)?.message || error);

export function createStoreStatus() {
  let persistent = false;
  /** @type {string | null} */
  let lastError = null;

  return {
    /** True while the store's database is there to write to. */
    persistent: () => persistent,
    /** The last storage error, or null. */
    lastError: () => lastError,

    /**
     * A step of the start (the database opened, the files read) succeeded
     * (null) or failed: without the database the queue works in memory, and
     * the error stays until a write succeeds.
     * @param {unknown} error
     */
    started(error) {
      persistent = !error;
      if (error) lastError = describe(error);
    },

    /** A write of the group commit succeeded (null) or failed. @param {unknown} error */
    written(error) {
      lastError = error ? String(error instanceof Error ? error.message : error) : null;
    },
  };
}

/** @typedef {ReturnType<typeof createStoreStatus>} StoreStatus */
