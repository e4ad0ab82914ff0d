// The core's requests to the collector while they are in flight: each is
// sent (worker/sender.js), the core hears as soon as the collector answered
// and then what became of it, and flush waits for the ones in flight. A
// request whose answer comes from the page (the leaving batch it sent) is
// in flight the same way.

import { ERROR_IDS } from '../web/error-ids.js';

/** @typedef {import('./core.mjs').CoreRequest} CoreRequest */
/** @typedef {import('./sender.js').Outcome} Outcome */

/**
 * `send(request, onAnswered)`: sends `request` and resolves to its outcome
 * (worker/sender.js). `core()`: the core, told when the collector answered.
 * `tellOutcome(request, outcome)`: tells the core what became of it.
 * `afterCoreCall(urgent)`: after every call into the core. `reportProblem`:
 * to the page.
 * @param {{
 *   send: (request: CoreRequest, onAnswered: (status: number) => void) => Promise<Outcome>,
 *   core: () => Pick<import('./core-api.js').CoreApi, 'answered'>,
 *   tellOutcome: (request: { id: number }, outcome: Outcome) => void,
 *   afterCoreCall: (urgent?: boolean) => void,
 *   reportProblem: (message: string) => void,
 *   clock?: () => number,
 * }} dependencies
 */
export function createRequests({ send, core, tellOutcome, afterCoreCall, reportProblem, clock = Date.now }) {
  /** @type {Map<number, Promise<unknown>>} request id → its course, settled with its outcome */
  const inFlight = new Map();

  /**
   * The collector answered `request` with `status` and its body is being
   * read: after a success the core sends the next batch now, so one request in
   * flight keeps the connection busy while this confirmation is applied.
   * @param {CoreRequest} request @param {number} status
   */
  function answered(request, status) {
    try {
      core().answered(request.id, status, clock());
      afterCoreCall();
    } catch (error) {
      reportProblem(`[${ERROR_IDS.workerSend}] ${error instanceof Error ? error.message : error}`);
    }
  }

  /**
   * Tells the core what became of `request`, and stores that at once: a
   * confirmed event whose removal is not yet stored is sent again if the
   * tab dies now.
   * @param {{ id: number }} request @param {Outcome} outcome
   */
  function applyOutcome(request, outcome) {
    tellOutcome(request, outcome);
    afterCoreCall(true);
  }

  /** Keeps `sending` (request `id`'s whole course) among the requests in flight. @param {number} id @param {Promise<unknown>} sending */
  function track(id, sending) {
    const done = sending
      .catch((error) => reportProblem(`[${ERROR_IDS.workerSend}] ${error}`))
      .finally(() => inFlight.delete(id));
    inFlight.set(id, done);
  }

  return {
    /** Sends the core's `request`; the core hears its outcome. @param {CoreRequest} request */
    send(request) {
      track(
        request.id,
        send(request, (status) => answered(request, status)).then((outcome) => applyOutcome(request, outcome)),
      );
    },
    track,
    applyOutcome,
    /** The courses of the requests in flight, which flush waits for. */
    inFlight: () => [...inFlight.values()],
  };
}
