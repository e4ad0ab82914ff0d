// Group commit: the queue's files the core changed are stored in IndexedDB
// together, one transaction at a time. Changes arriving within the window
// share a transaction; whoever needs durability now (a confirmation, a page
// going away, flush) skips the window. A failed write is retried, and
// whoever waits with durable() hears at once that it failed instead of
// waiting as long as the storage outage lasts; whoever must not act before
// the write (confirm a hand-over, delete an adopted store) waits with stored().

// Events arriving within 20 ms share one IndexedDB transaction; it keeps
// sendEvent → durable well under the 100 ms target.
export const GROUP_COMMIT_WINDOW_MS = 20;
// After a failed write (quota, storage blocked), the next try: often enough
// to notice freed space soon, rarely enough not to spin.
export const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * `core`: the core's storage generation grows with every change;
 * persistState writes its counters and flags into files.
 * `store(names)`: stores those files, resolving or rejecting.
 * `persistent()`: false where there is no IndexedDB (nothing to wait for).
 * `onResult(error)`: after each write, null or the error.
 * @param {{
 *   core: { generation(): number, takeChangedFiles(): string[], persistState(): void },
 *   store: (names: string[]) => Promise<unknown>,
 *   persistent: () => boolean,
 *   onResult?: (error: unknown) => void,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createGroupCommit({ core, store, persistent, onResult = () => {}, timers = globalThis }) {
  let running = false;
  let nextDelay = GROUP_COMMIT_WINDOW_MS;
  let timer = 0;
  let syncedGeneration = 0;
  // Files changed in memory and not yet stored (a failed write keeps them).
  const unsynced = new Set();
  /** @type {Array<{ generation: number, resolve: (made: boolean) => void, untilStored: boolean }>} */
  const waiters = [];

  /**
   * Resolves the waiters for `generation` or earlier with `made` (a failure: those of durable() only).
   * @param {number} generation @param {boolean} made
   */
  function settle(generation, made) {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].generation <= generation && (made || !waiters[i].untilStored)) {
        waiters[i].resolve(made);
        waiters.splice(i, 1);
      }
    }
  }

  /** Stores what changed after `delay` ms (0: now), unless a write is due sooner. */
  function schedule(delay = GROUP_COMMIT_WINDOW_MS) {
    if (!persistent()) {
      core.takeChangedFiles(); // nothing to store them in: forget them
      settle(Infinity, false);
      return;
    }
    if (running) {
      nextDelay = Math.min(nextDelay, delay); // the running write reschedules itself
      return;
    }
    if (timer && delay > 0) return;
    timers.clearTimeout(timer);
    timer = timers.setTimeout(run, delay);
  }

  function run() {
    timer = 0;
    if (running) return;
    running = true;
    core.persistState();
    const generation = core.generation();
    for (const name of core.takeChangedFiles()) unsynced.add(name);
    const names = [...unsynced];
    unsynced.clear();
    Promise.resolve()
      .then(() => store(names))
      .then(
        () => null,
        (error) => error ?? new Error('the write failed'),
      )
      .then((error) => {
        running = false;
        onResult(error);
        if (error) {
          for (const name of names) unsynced.add(name);
          settle(Infinity, false);
          timer = timers.setTimeout(run, RETRY_AFTER_FAILURE_MS); // what is in memory is still sent
          return;
        }
        syncedGeneration = generation;
        settle(generation, true);
        // An urgent wait that came during the write asked for 0 (see
        // schedule); the others wait for the window like any change, or every
        // hand-over the page has confirmed would cost a transaction of its own.
        const delay = nextDelay;
        nextDelay = GROUP_COMMIT_WINDOW_MS;
        if (core.generation() > generation || waiters.length) schedule(delay);
      });
  }

  /**
   * durable() and stored(): `untilStored` waits through failed writes.
   * @param {boolean} urgent @param {boolean} untilStored @returns {Promise<boolean>}
   */
  function wait(urgent, untilStored) {
    if (!persistent()) return Promise.resolve(false);
    const generation = core.generation();
    if (generation <= syncedGeneration) return Promise.resolve(true);
    return new Promise((resolve) => {
      waiters.push({ generation, resolve, untilStored });
      schedule(urgent ? 0 : GROUP_COMMIT_WINDOW_MS);
    });
  }

  return {
    schedule,

    /**
     * Resolves to true once everything changed so far is stored, or to
     * false as soon as a write fails (the writes go on being retried).
     * `urgent` skips the window.
     */
    durable(urgent = false) {
      return wait(urgent, false);
    },

    /**
     * Resolves to true once everything changed so far is stored, however
     * many writes fail first; to false at once where there is no IndexedDB
     * (nothing to wait for).
     */
    stored(urgent = false) {
      return wait(urgent, true);
    },

    /** After a call into the core: store what it changed, now if `urgent`. */
    changed(urgent = false) {
      if (core.generation() > syncedGeneration) schedule(urgent ? 0 : GROUP_COMMIT_WINDOW_MS);
    },

    /** True if everything changed so far is stored. */
    isDurable() {
      return core.generation() <= syncedGeneration;
    },
  };
}
