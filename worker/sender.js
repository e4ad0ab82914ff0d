// Performs the core's requests with fetch: the SendMessageBatch body as a
// form POST to the endpoint worker/page-credentials.js chooses, with its
// bearer token if any, the spec's 10 s timeout, and the answer read up to
// its cap. The outcome goes back to the core, which alone decides what it
// means (confirmed, retry, drop).
import { readCappedBody } from '../web/response-body.js';
import { DEADLINES } from '../web/deadlines.js';

// The spec's request timeout (web/deadlines.js).
export const REQUEST_TIMEOUT_MS = DEADLINES.collectorRequestMs;

// What the core hears of a request (tep_on_response's kind).
// unread: an answer came, but the core had no memory to take it (outcome-report.js).
export const OutcomeKind = Object.freeze({ response: 0, networkError: 1, timeout: 2, unread: 3 });

/** What became of a request, as the core hears it (tep_on_response). */
/** @typedef {{ kind: number, status: number, body: string, retryAfter: string, date: string }} Outcome */
/** @typedef {import('./core.mjs').CoreRequest} CoreRequest */

/**
 * `endpoint(request)`: where `request` goes and with which token (null for
 * none), from worker/page-credentials.js, which may first ask the page for
 * fresh credentials.
 * @param {{
 *   fetch?: typeof globalThis.fetch,
 *   endpoint: (request: CoreRequest) => Promise<{ url: string, token: string | null }>,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createSender({ fetch = globalThis.fetch, endpoint, timers = globalThis }) {
  /**
   * Sends `request` ({ body, publicOnly, keepalive, subStatus, ... }) and
   * resolves to its outcome: { kind, status, body, retryAfter, date }.
   * `onAnswered(status)`, if given, is called as soon as the answer's status
   * is known, before its body is read: the core may send the next batch
   * meanwhile. It must not throw.
   * @param {CoreRequest} request
   * @param {(status: number) => void} [onAnswered]
   * @returns {Promise<Outcome>}
   */
  async function send(request, onAnswered) {
    const { url, token } = await endpoint(request);
    /** @type {Record<string, string>} */
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const abort = new AbortController();
    const timer = timers.setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    /** @type {Outcome} */
    const outcome = { kind: OutcomeKind.response, status: 0, body: '', retryAfter: '', date: '' };
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: request.body,
        headers,
        signal: abort.signal,
        keepalive: !!request.keepalive,
        credentials: 'omit', // the token is the only credential: no cookies
      });
      outcome.status = response.status;
      outcome.retryAfter = response.headers.get('Retry-After') || '';
      outcome.date = response.headers.get('Date') || '';
      onAnswered?.(response.status);
      outcome.body = await readCappedBody(response);
    } catch {
      outcome.kind = abort.signal.aborted ? OutcomeKind.timeout : OutcomeKind.networkError;
    } finally {
      timers.clearTimeout(timer);
    }
    return outcome;
  }

  return { send };
}
