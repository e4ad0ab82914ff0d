// Tells the core what became of one of its requests (tep_on_response): the
// answer's body and headers are copied into the core's memory for the call.
// When the core's memory can't take them (it can't grow), the core hears
// that the answer could not be read: a failed attempt, so the batch leaves
// the in-flight set and is retried, and the core reports it (getStats()'s
// lastError, the bus). Left in flight, with maxInFlightBatches 1, it would
// stop delivery for good.
import { OutcomeKind } from './sender.js';

/**
 * `core()`: worker/core-api.js's wrapper of the module; `now()`: the clock
 * the core runs on.
 * @param {{
 *   core: () => Pick<import('./core-api.js').CoreApi, 'respond'>,
 *   now?: () => number,
 * }} dependencies
 */
export function createOutcomeReport({ core, now = () => Date.now() }) {
  /**
   * Reports `outcome` of the request `request.id`.
   * @param {{ id: number }} request
   * @param {import('./sender.js').Outcome} outcome
   */
  return function report(request, outcome) {
    try {
      core().respond(request.id, outcome, now());
    } catch (error) {
      if (/** @type {{ code?: string }} */ (error)?.code !== 'out_of_memory') throw error;
      // Nothing to copy: null strings need no memory.
      core().respond(
        request.id,
        { kind: OutcomeKind.unread, status: outcome.status, body: null, retryAfter: null, date: null },
        now(),
      );
    }
  };
}
