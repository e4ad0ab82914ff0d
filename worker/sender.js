// Performs the core's requests with fetch: the SendMessageBatch body as a
// form POST, the bearer token of the user's credentials (or the public
// endpoint without one), the spec's 10 s timeout, and the answer read up to
// its cap. The outcome goes back to the core, which alone decides what it
// means (confirmed, retry, drop).
import { readCappedBody } from '../web/response-body.js';
import { DEADLINES } from '../web/deadlines.js';

// The spec's request timeout (web/deadlines.js).
export const REQUEST_TIMEOUT_MS = DEADLINES.collectorRequestMs;

// What the core hears of a request (tep_on_response's kind).
// unread: an answer came, but the core had no memory to take it (outcome-report.js).
export const OutcomeKind = Object.freeze({ response: 0, networkError: 1, timeout: 2, unread: 3 });

/**
 * `credentials.current()`: the last credentials known ({ clientId, token } or
 * null). `credentials.refresh(subStatus)`: asks the app's provider again,
 * resolving to the credentials to use. `refreshFirst(request)`: whether this
 * request needs fresh credentials before it goes (after a 401).
 * `endpoints()`: { tlConsumerUri, tlPublicConsumerUri }.
 */
export function createSender({ fetch = globalThis.fetch, credentials, refreshFirst, endpoints, timers = globalThis }) {
  /**
   * Sends `request` ({ body, publicOnly, keepalive, subStatus, ... }) and
   * resolves to its outcome: { kind, status, body, retryAfter, date }.
   * `onAnswered(status)`, if given, is called as soon as the answer's status
   * is known, before its body is read: the core may send the next batch
   * meanwhile. It must not throw.
   */
  async function send(request, onAnswered) {
    let token = null;
    if (!request.publicOnly) {
      const known = refreshFirst(request) ? await credentials.refresh(request.subStatus) : credentials.current();
      token = known?.token || null;
    }
    const { tlConsumerUri, tlPublicConsumerUri } = endpoints();
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const abort = new AbortController();
    const timer = timers.setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    /** @type {{ kind: number, status: number, body: string, retryAfter: string, date: string }} */
    const outcome = { kind: OutcomeKind.response, status: 0, body: '', retryAfter: '', date: '' };
    try {
      const response = await fetch(token ? tlConsumerUri : tlPublicConsumerUri, {
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
