// flush(): sends what is queued now and answers once the collector has
// answered for it, or the budget is spent. The page waits 30 s for the answer,
// and a request in flight may take longer than what is left of the budget (a
// fetch up to the sender's 10 s timeout, the page's answer to the leaving
// batch it sent up to 15 s): flush answers at the budget whatever is still in
// flight, which goes on after, and the scheduler sends the rest.

import { DEADLINES } from '../web/deadlines.js';

// Well within the page's wait (web/deadlines.js), with room for a busy worker's timers.
export const FLUSH_BUDGET_MS = DEADLINES.flushBudgetMs;

/**
 * `sendNow()`: makes the core start the batches it can now. `inFlight()`:
 * the promises of the requests in flight. `durable()`: resolves to true once
 * every change is in IndexedDB, or to false as soon as a write fails (flush
 * then stops: what is queued waits for the scheduler; its rejection is
 * flush's). `stats()`: the current stats, whose `delivered` and `queued`
 * tell progress.
 * @param {{
 *   sendNow: () => void,
 *   inFlight: () => Promise<unknown>[],
 *   durable: () => Promise<boolean>,
 *   stats: () => import('../web/protocol.js').WorkerStats,
 *   clock?: () => number,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createFlush({
  sendNow,
  inFlight,
  durable,
  stats,
  clock = () => performance.now(),
  timers = globalThis,
}) {
  /** `work`, unless `deadline` comes first: true if it settled in time. @param {Promise<unknown>} work @param {number} deadline */
  function settledBefore(work, deadline) {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    /** @type {Promise<boolean>} */
    const expired = new Promise((resolve) => {
      timer = timers.setTimeout(() => resolve(false), Math.max(0, deadline - clock()));
    });
    return Promise.race([work.then(() => true), expired]).finally(() => timers.clearTimeout(timer));
  }

  return async function flush() {
    const deadline = clock() + FLUSH_BUDGET_MS;
    let delivered = stats().delivered;
    for (;;) {
      const earlier = new Set(inFlight());
      sendNow();
      const requests = inFlight();
      const attempted = requests.some((request) => !earlier.has(request));
      let stored = true;
      const made = durable().then((ok) => (stored = ok));
      const settled = await settledBefore(Promise.all([made, ...requests]), deadline);
      const now = stats();
      const progressed = now.delivered > delivered;
      delivered = now.delivered;
      // Done: nothing was sent, the collector took nothing of flush's own
      // attempt, or the queue is empty; or out of budget: the rest goes on
      // the scheduler's timer. A request the scheduler started before (while
      // the collector was down, say) may fail: flush then tries itself.
      const refused = !progressed && attempted;
      if (!settled || !stored || clock() >= deadline) return now;
      if (!requests.length || refused || now.queued === 0) {
        // The removal of what the collector confirmed in this round is
        // stored after its answer: durable too before flush answers, or a
        // page closed right after would send those events again.
        stored = false;
        const madeAfter = durable().then((ok) => (stored = ok));
        return (await settledBefore(madeAfter, deadline)) && stored ? stats() : now;
      }
    }
  };
}
