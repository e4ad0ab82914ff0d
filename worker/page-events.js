// The page's hand-overs of events: the events go to the core in one call,
// the ones the page refused are counted, and the page hears once they are
// stored, so that it can let go of its copy.
import { entryBlocked } from './core-api.js';
import { ERROR_IDS } from '../web/error-ids.js';

/**
 * `core()`: the core. `credentials`: worker/page-credentials.js (the page's
 * credentials come with each hand-over). `afterCoreCall(urgent)`: after
 * every call into the core. `stored(urgent)`: resolves once everything the
 * core changed is in IndexedDB (at once where there is none). `post(notice)`: to the page.
 * @param {{
 *   core: () => Pick<import('./core-api.js').CoreApi, 'sendEvents' | 'countRefused'>,
 *   credentials: { set: (fresh: import('../web/protocol.js').Credentials) => void },
 *   afterCoreCall: (urgent?: boolean) => void,
 *   stored: (urgent: boolean) => Promise<unknown>,
 *   post: (notice: import('../web/protocol.js').AcceptedNotice) => void,
 *   clock?: () => number,
 * }} dependencies
 */
export function createPageEvents({ core, credentials, afterCoreCall, stored, post, clock = Date.now }) {
  /**
   * Hands `events` (JSON texts) to the core in one call; if the core can't
   * take them all at once (its memory can't grow that much), one by one, and
   * an event that still doesn't fit is counted as a storing failure.
   * @param {string[]} events @param {number} now @param {number} blocked
   */
  function sendEvents(events, now, blocked) {
    try {
      core().sendEvents(events, now, blocked);
      return;
    } catch (error) {
      if (outOfMemory(error) === null) throw error;
    }
    for (const json of events) {
      try {
        core().sendEvents([json], now, blocked);
      } catch (error) {
        const problem = outOfMemory(error);
        if (problem === null) throw error;
        core().countRefused({ name: '', problem, reason: 'storing' });
      }
    }
  }

  /**
   * One hand-over of the page's.
   * @param {import('../web/protocol.js').EventsRequest} request
   */
  return function accept({ seq, events = [], unserialisable = [], credentials: current, urgent = false, blocked }) {
    // The page's credentials at the time these events were sent (log-in, log-out).
    if (current !== undefined) credentials.set(current);
    const now = clock();
    if (events.length) sendEvents(events, now, entryBlocked(blocked));
    for (const refused of unserialisable) core().countRefused(refused);
    afterCoreCall(urgent); // urgent: the page is going away, store them now
    // The page keeps these events until they are stored, to hand them to the
    // next worker if this one dies first: during a storage outage, until a
    // write succeeds (without IndexedDB, at once: there is nothing to wait for).
    if (seq !== undefined) stored(urgent).then(() => post({ type: 'accepted', seq }));
  };
}

/** The problem (id and message) of `error` if it is the core's failed allocation (worker/core-strings.js), else null. @param {unknown} error */
function outOfMemory(error) {
  const { code, message } = /** @type {{ code?: string, message?: string }} */ (error ?? {});
  return code === 'out_of_memory' ? `[${ERROR_IDS.workerOutOfMemory}] ${message}` : null;
}
