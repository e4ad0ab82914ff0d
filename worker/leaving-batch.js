// The worker's side of the leaving batch (the page's side is
// web/leaving-batch.js). A page that is hidden or unloads may end its worker
// before the worker hears of it, let alone sends anything. So the page holds
// the batch this worker would send with keepalive, kept current from here,
// and sends it itself; the worker then takes that batch's events as a
// request in flight whose answer comes from the page, and sends no other:
// one batch leaves per hide, whatever the app queued meanwhile.

import { DEADLINES } from '../web/deadlines.js';

// The page's copy is refreshed right after a change, then at most once per
// this interval while changes go on (10 a second, each at most one batch).
export const LEAVING_BATCH_INTERVAL_MS = 100;
// The page answers for the batch it sent within its 10 s timeout; without
// its answer by then (it went away) the events are sent again.
export const LEAVING_ANSWER_TIMEOUT_MS = DEADLINES.leavingAnswerMs;

/** @typedef {import('./sender.js').Outcome} Outcome */

/**
 * `body()`: the body of the batch the core would send with keepalive now
 * ('' for none). `endpoint()`: { url, token } it would go to. `post(notice)`:
 * to the page. `applyOutcome(request, outcome)`: tells the core. `consentSeq()`:
 * the sequence of the site's consent the core holds, which the page checks.
 * `claim(ids)`: makes the core take the events `ids` as a request in flight
 * (its id, or 0). `sendOwn()`: makes the core send its own keepalive batch.
 * `track(id, answered)`: keeps the request among those in flight until the
 * page's answer.
 * @param {{
 *   body: () => string,
 *   endpoint: () => { url: string, token: string | null },
 *   post: (notice: import('../web/protocol.js').LeavingNotice) => void,
 *   applyOutcome: (request: { id: number }, outcome: Outcome) => void,
 *   consentSeq: () => number,
 *   claim: (ids: string[]) => number,
 *   sendOwn: () => void,
 *   track: (id: number, answered: Promise<void>) => void,
 *   clock?: () => number,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createLeavingBatch({
  body,
  endpoint,
  post,
  applyOutcome,
  consentSeq,
  claim,
  sendOwn,
  track,
  clock = () => performance.now(),
  timers = globalThis,
}) {
  let timer = 0;
  let refreshedAt = -Infinity;
  let told = ''; // what the page holds: endpoint and body
  let heldBody = '';
  let version = 0;
  /** @type {{ version: number, answer: (outcome: Outcome) => void } | null} the page's batch, until it answers */
  let awaiting = null;

  /** After a change in the queue: the page's copy is refreshed soon. */
  function changed() {
    if (timer) return;
    const wait = Math.max(0, refreshedAt + LEAVING_BATCH_INTERVAL_MS - clock());
    timer = timers.setTimeout(() => {
      timer = 0;
      refreshedAt = clock();
      const current = body();
      const { url, token } = endpoint();
      const seq = consentSeq();
      // A consent change makes the page drop its copy: it hears again, even of the same body.
      const now = `${seq} ${current && `${url} ${token} ${current}`}`;
      if (now === told) return;
      told = now;
      heldBody = current;
      version++;
      post(
        current
          ? { type: 'leaving', version, consentSeq: seq, body: current, url, token }
          : { type: 'leaving', version, consentSeq: seq, body: null },
      );
    }, wait);
  }

  /**
   * The event ids of the batch the page says it sent (`sentVersion`), if it
   * is the one this worker holds for it; else null (the page sent nothing,
   * or an older batch whose answer can't be matched).
   * @param {number | undefined} sentVersion
   * @returns {string[] | null}
   */
  function sentByPage(sentVersion) {
    if (sentVersion === undefined || sentVersion !== version || heldBody === '') return null;
    const ids = [];
    for (const [field, value] of new URLSearchParams(heldBody)) {
      if (/^SendMessageBatchRequestEntry\.\d+\.Id$/.test(field)) ids.push(value);
    }
    return ids;
  }

  /**
   * Resolves once the page answers for `request`, or the wait times out (the events go again).
   * @param {{ id: number }} request
   * @returns {Promise<void>}
   */
  function awaitPageAnswer(request) {
    return new Promise((resolve) => {
      const answer = (/** @type {Outcome} */ outcome) => {
        timers.clearTimeout(timeout);
        awaiting = null;
        applyOutcome(request, outcome);
        resolve();
      };
      const timeout = timers.setTimeout(
        () => answer({ kind: 2, status: 0, body: '', retryAfter: '', date: '' }),
        LEAVING_ANSWER_TIMEOUT_MS,
      );
      awaiting = { version, answer };
    });
  }

  /** The page's answer for the batch of `answeredVersion`. @param {number} answeredVersion @param {Outcome} outcome */
  function pageAnswered(answeredVersion, outcome) {
    if (awaiting?.version === answeredVersion) awaiting.answer(outcome);
  }

  /**
   * The page is hidden or unloading: one keepalive batch goes. If the page
   * sent the leaving batch it held (`sentVersion`), that batch is the one:
   * its events are in flight until the page tells its answer. Otherwise the
   * core sends one.
   * @param {number | undefined} sentVersion
   */
  function leave(sentVersion) {
    const ids = sentByPage(sentVersion);
    if (!ids) {
      sendOwn();
      return;
    }
    const id = claim(ids);
    if (id) track(id, awaitPageAnswer({ id }));
  }

  return { changed, sentByPage, awaitPageAnswer, pageAnswered, leave };
}
