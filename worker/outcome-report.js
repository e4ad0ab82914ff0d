// Tells the core what became of one of its requests (tep_on_response): the
// answer's body and headers are copied into the core's memory for the call.
// When the core's memory can't take them (it can't grow), the core hears
// that the answer could not be read: a failed attempt, so the batch leaves
// the in-flight set and is retried, and the core reports it (getStats()'s
// lastError, the bus). Left in flight, with maxInFlightBatches 1, it would
// stop delivery for good.
import { OutcomeKind } from './sender.js';

/**
 * `core`: the module's exports; `withCStrings`: worker/core-strings.js's;
 * `now()`: the clock the core runs on.
 * @param {{
 *   core: Pick<import('./core.mjs').CoreModule, '_tep_on_response' | 'lengthBytesUTF8'>,
 *   withCStrings: (texts: Array<string | null | undefined>, use: (...pointers: number[]) => unknown) => unknown,
 *   now?: () => number,
 * }} dependencies
 */
export function createOutcomeReport({ core, withCStrings, now = () => Date.now() }) {
  /** Reports `outcome` ({ kind, status, body, retryAfter, date }) of the request `request.id`. */
  return function report(request, outcome) {
    try {
      withCStrings([outcome.body, outcome.retryAfter, outcome.date], (body, retryAfter, date) =>
        core._tep_on_response(
          request.id,
          outcome.kind,
          outcome.status,
          body,
          core.lengthBytesUTF8(outcome.body),
          retryAfter,
          date,
          now(),
        ),
      );
    } catch (error) {
      if (error?.code !== 'out_of_memory') throw error;
      // Nothing to copy: null strings need no memory.
      core._tep_on_response(request.id, OutcomeKind.unread, outcome.status, 0, 0, 0, 0, now());
    }
  };
}
