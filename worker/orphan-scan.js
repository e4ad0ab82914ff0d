// One pass over the origin's stores, trying to adopt each one that isn't
// this tab's. An attempt can wait on IndexedDB for as long as another
// connection to that store never answers: WebKit holds a store's open and
// delete requests, without a `blocked` event, for a tab whose worker was
// frozen with its connection open. So no attempt holds up the rest: after
// ATTEMPT_WAIT_MS the pass goes on to the next store, the attempt keeps
// running, and later passes skip that store until it settles.
//
// A pass asked for while one runs is that pass: whoever asks (the service
// worker, before it sends what it adopted) waits for the stores it finds.

// Long enough for a large store to be read, copied and deleted on a slow
// machine; short enough that every other gone tab's events still go out
// within one scan interval.
export const ATTEMPT_WAIT_MS = 5000;

/**
 * `listStores()` resolves to the store paths of the origin;
 * `tryAdopt(path)` adopts the store if its tab is gone.
 * Each call of the returned function is one pass; passes never overlap.
 * @param {{
 *   ownPath: string,
 *   listStores: () => Promise<string[]>,
 *   tryAdopt: (path: string) => Promise<unknown>,
 *   onError?: (error: unknown) => void,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createOrphanScan({ ownPath, listStores, tryAdopt, onError = () => {}, timers = globalThis }) {
  const pending = new Set(); // stores whose attempt outlived its pass
  /** @type {Promise<void> | null} */
  let running = null;

  /** Resolves when the attempt settles or ATTEMPT_WAIT_MS passes, whichever is first. @param {string} path */
  function attempt(path) {
    pending.add(path);
    const done = tryAdopt(path)
      .catch((error) => onError(error))
      .finally(() => pending.delete(path));
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    const waited = new Promise((resolve) => (timer = timers.setTimeout(resolve, ATTEMPT_WAIT_MS)));
    return Promise.race([done, waited]).finally(() => timers.clearTimeout(timer));
  }

  async function pass() {
    try {
      for (const path of await listStores()) {
        if (path !== ownPath && !pending.has(path)) await attempt(path);
      }
    } catch (error) {
      onError(error);
    } finally {
      running = null;
    }
  }

  return function scan() {
    running ??= pass();
    return running;
  };
}
