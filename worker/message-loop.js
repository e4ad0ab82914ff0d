// The worker's side of the protocol: every message from the page is checked
// against web/protocol.js before a handler sees it, each request with an id
// gets exactly one reply (its result or its error with a stable code), and a
// malformed message is answered (if it has an id) and counted, never acted on.
import { Notice, requestProblem } from '../web/protocol.js';
import { ERROR_IDS, workerErrorId } from '../web/error-ids.js';

/**
 * `handlers`: action → function(message) returning the result (or a promise).
 * `ready()`: false until init has run; `needsReady(action)`: whether the
 * action needs it; `starting()`: while init has answered but is not done,
 * its promise, which such actions wait for (in the order they came). `post(notice)`: to the page. `reportProblem(text)`: for
 * errors of messages without an id.
 * @param {{
 *   handlers: Record<string, (message: any) => unknown>,
 *   ready: () => boolean,
 *   starting?: () => Promise<unknown> | null,
 *   needsReady: (action: string) => boolean,
 *   post: (notice: import('../web/protocol.js').WorkerNotice) => void,
 *   reportProblem: (text: string) => void,
 * }} dependencies
 */
export function createMessageLoop({ handlers, ready, starting = () => null, needsReady, post, reportProblem }) {
  let rejected = 0;

  /** Handles one message event's data; resolves once it is answered. @param {any} data */
  async function receive(data) {
    const problem = requestProblem(data);
    const id = problem === null || (data && Number.isSafeInteger(data.id)) ? data.id : undefined;
    try {
      if (problem !== null) {
        rejected++;
        const code = problem.startsWith('unknown action') ? 'unknown_action' : 'bad_message';
        throw Object.assign(new Error(problem), { code });
      }
      if (needsReady(data.action) && !ready()) {
        const underway = starting();
        if (!underway) throw Object.assign(new Error('init has not run'), { code: 'not_initialised' });
        await underway;
      }
      const result = await handlers[data.action](data);
      if (id !== undefined) post({ type: Notice.reply, id, result });
    } catch (error) {
      const thrown = /** @type {{ code?: string, message?: string }} */ (error ?? {});
      const code = thrown.code || 'failed';
      const message = String(thrown.message || error);
      if (id !== undefined) post({ type: Notice.reply, id, error: { code, message } });
      else reportProblem(`[${workerErrorId(code)}] ${message}`);
    }
  }

  return {
    receive,
    /** Messages of another shape than web/protocol.js defines, ignored so far. */
    rejected: () => rejected,
  };
}
