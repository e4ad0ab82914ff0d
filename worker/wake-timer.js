// The worker's one timer: the core says when it next needs to run (the
// batch interval, a backoff, the TTL sweep), and this keeps a single
// setTimeout armed for that moment.

// setTimeout fires at once for delays beyond 2^31 − 1 ms (about 24.8 days);
// a longer wait is cut there and re-armed when it fires.
export const LONGEST_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * `nextWake(now)`: the core's next wake-up time (ms since the epoch), or a
 * negative number for none. `onWake(now)`: called when it comes.
 * @param {{
 *   nextWake: (now: number) => number,
 *   onWake: (now: number) => void,
 *   clock?: () => number,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createWakeTimer({ nextWake, onWake, clock = Date.now, timers = globalThis }) {
  let timer = 0;
  let armedFor = -1;

  function clear() {
    timers.clearTimeout(timer);
    timer = 0;
    armedFor = -1;
  }

  /** Re-reads the core's next wake-up and arms the timer for it. */
  function arm() {
    const now = clock();
    const wake = nextWake(now);
    if (wake < 0) {
      clear();
      return;
    }
    if (timer && armedFor === wake) return;
    timers.clearTimeout(timer);
    armedFor = wake;
    const delay = Math.min(Math.max(0, wake - now), LONGEST_TIMEOUT_MS);
    timer = timers.setTimeout(() => {
      timer = 0;
      armedFor = -1;
      const firedAt = clock();
      if (firedAt >= wake) onWake(firedAt);
      else arm(); // a wait longer than setTimeout allows: go on waiting
    }, delay);
  }

  return { arm, clear };
}
