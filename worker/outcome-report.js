// Tells the core what became of one of its requests (tep_on_response): the
// answer's body and headers are copied into the core's memory for the call.

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
  };
}
