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

/** @typedef {import('./protocol.js').FieldsOf<'leavingAnswer'>} LeavingOutcome */

/**
 * Sends `leaving` ({ version, body, url, token }) with keepalive and calls
 * `answer({ version, kind, status, body, retryAfter, date })` with its
 * outcome (kind: 0 response, 1 network error, 2 timeout).
 * @param {{ version: number, body: string | null, url?: string, token?: string | null }} leaving
 * @param {(outcome: LeavingOutcome) => void} answer
 * @param {{ fetch?: typeof globalThis.fetch, timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout } }} [io]
 */
export function sendLeavingBatch(leaving, answer, { fetch = globalThis.fetch, timers = globalThis } = {}) {
  /** @type {Record<string, string>} */
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (leaving.token) headers.Authorization = `Bearer ${leaving.token}`;
  const abort = new AbortController();
  const timer = timers.setTimeout(() => abort.abort(), LEAVING_TIMEOUT_MS);
  const outcome = { version: leaving.version, kind: 0, status: 0, body: '', retryAfter: '', date: '' };
  let sending;
  try {
    sending = fetch(String(leaving.url), {
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

/**
 * The leaving batch a session's worker keeps ready for the page: only one
 * built under the site's consent in force (`consentSeq()`, web/site-consent.js)
 * ever leaves. `send` is sendLeavingBatch, or a test's.
 * @param {{
 *   consentSeq: () => number,
 *   send?: (leaving: import('./protocol.js').LeavingNotice, answer: (outcome: LeavingOutcome) => void) => unknown,
 * }} dependencies
 */
export function createLeavingBatch({ consentSeq, send = sendLeavingBatch }) {
  /** @type {import('./protocol.js').LeavingNotice | null} */
  let held = null;
  return {
    /**
     * The worker's latest batch (`body` null: none); one built before the
     * latest consent change is dropped, the worker sends a new one.
     * @param {import('./protocol.js').LeavingNotice} notice
     */
    hold(notice) {
      held = notice.body === null || notice.consentSeq !== consentSeq() ? null : notice;
    },
    /** The consent changed: the batch held was built under the old one. */
    forget() {
      held = null;
    },
    /**
     * Sends the batch held, if it was built under the consent in force, and
     * calls `answer(outcome)` once it is answered; returns its version, or
     * undefined when none went.
     * @param {(outcome: LeavingOutcome) => void} answer
     */
    send(answer) {
      const leaving = held?.consentSeq === consentSeq() ? held : null;
      held = null;
      if (!leaving) return undefined;
      send(leaving, answer);
      return leaving.version;
    },
  };
}
