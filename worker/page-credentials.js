// The worker's questions to the page's credentials provider: asked only when
// a batch needs fresh credentials (after a 401), answered by the page with
// the provider's answer, and never waited for longer than the cap: a
// provider that hangs must not hold the queue.

import { DEADLINES } from '../web/deadlines.js';

// How long a batch waits for the page's credentials provider before it is
// sent with the last credentials known.
export const CREDENTIALS_ANSWER_TIMEOUT_MS = DEADLINES.credentialsAfterRefusalMs;

/**
 * `post(notice)`: to the page. `known()`: the credentials to fall back on.
 * @param {{
 *   post: (notice: import('../web/protocol.js').CredentialsRequestNotice) => void,
 *   known: () => import('../web/protocol.js').Credentials,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createPageCredentials({ post, known, timers = globalThis }) {
  const waiting = new Map(); // requestId → settle
  let nextRequestId = 1;

  return {
    /** Asks the page's provider; resolves to its answer, or to known() if it has none in time. */
    ask(subStatus) {
      return new Promise((resolve) => {
        const requestId = nextRequestId++;
        const settle = (fresh) => {
          timers.clearTimeout(timer);
          waiting.delete(requestId);
          resolve(fresh || known());
        };
        const timer = timers.setTimeout(() => settle(null), CREDENTIALS_ANSWER_TIMEOUT_MS);
        waiting.set(requestId, settle);
        post({ type: 'credentials-request', requestId, subStatus: subStatus || undefined });
      });
    },

    /** The page's answer to request `requestId`: the provider's credentials, or null. */
    answer(requestId, fresh) {
      waiting.get(requestId)?.(fresh || null);
    },
  };
}
