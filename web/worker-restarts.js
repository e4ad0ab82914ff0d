// When a worker that ended is replaced: at once, unless workers keep ending.
// One that ends within RESTART_RESET_MS of its start is replaced after a
// growing delay (1 s, 2 s, … up to RESTART_MAX_DELAY_MS), so a worker that
// can't run doesn't loop.

export const RESTART_RESET_MS = 60000;
export const RESTART_MAX_DELAY_MS = 60000;

/**
 * `timers.setTimeout` waits out the delays; `now()` is the clock a worker's
 * lifetime is measured on.
 * @param {{ timers?: { setTimeout: typeof setTimeout }, now?: () => number }} [dependencies]
 */
export function createWorkerRestarts({ timers = globalThis, now = () => Date.now() } = {}) {
  let restarts = 0;
  let startedAt = now();
  return {
    /** A worker starts (init): its lifetime counts from now. */
    started() {
      startedAt = now();
    },
    /** The running worker ended: resolves when its replacement may start. */
    replace() {
      if (now() - startedAt > RESTART_RESET_MS) restarts = 0;
      const delay = restarts === 0 ? 0 : Math.min(RESTART_MAX_DELAY_MS, 1000 * 2 ** (restarts - 1));
      restarts++;
      // The replacement's lifetime counts from its start, after the delay: a
      // worker that ends at once after a 60 s wait has not run for a minute.
      return new Promise((resolve) =>
        timers.setTimeout(() => {
          startedAt = now();
          resolve(undefined);
        }, delay),
      );
    },
  };
}
