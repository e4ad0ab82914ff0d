// The leaving batch: a page that is hidden or unloads (a tab switch, a
// navigation, the tab closed) may have its worker ended before the worker
// hears of it, let alone sends anything. So the page holds the batch the
// worker would send with keepalive (the worker keeps it current), sends it
// itself at once, and tells the worker what the collector answered, if the
// page is still there to hear it; without an answer the worker sends those
// events again later.
import { readCappedBody } from './response-body.js';
import { DEADLINES } from './deadlines.js';

// The spec's request timeout, as the worker's sender has it.
const LEAVING_TIMEOUT_MS = DEADLINES.collectorRequestMs;

/**
 * Sends `leaving` ({ version, body, url, token }) with keepalive and calls
 * `answer({ version, kind, status, body, retryAfter, date })` with its
 * outcome (kind: 0 response, 1 network error, 2 timeout).
 */
export function sendLeavingBatch(leaving, answer, { fetch = globalThis.fetch, timers = globalThis } = {}) {
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (leaving.token) headers.Authorization = `Bearer ${leaving.token}`;
  const abort = new AbortController();
  const timer = timers.setTimeout(() => abort.abort(), LEAVING_TIMEOUT_MS);
  const outcome = { version: leaving.version, kind: 0, status: 0, body: '', retryAfter: '', date: '' };
  let sending;
  try {
    sending = fetch(leaving.url, {
      method: 'POST',
      body: leaving.body,
      headers,
      keepalive: true,
      credentials: 'omit',
      signal: abort.signal,
    });
  } catch (error) {
    sending = Promise.reject(error); // over the keepalive quota, or refused by CSP
  }
  return sending
    .then(async (response) => {
      outcome.status = response.status;
      outcome.retryAfter = response.headers.get('Retry-After') || '';
      outcome.date = response.headers.get('Date') || '';
      outcome.body = await readCappedBody(response);
    })
    .catch(() => {
      outcome.kind = abort.signal.aborted ? 2 : 1;
    })
    .then(() => {
      timers.clearTimeout(timer);
      answer(outcome);
    });
}
