// The session of one init (or of the worker that replaced an ended one): its
// worker, the requests to it and their replies, each with the time-out its
// action allows (web/deadlines.js), the hand-overs of events it has not yet
// confirmed stored, and its end. A session that ended answers nothing more:
// its pending replies reject, and a late message of its worker is ignored.
import { noticeProblem } from './protocol.js';
import { createOutbox } from './outbox.js';
import { createLeavingBatch } from './leaving-batch.js';
import { DEADLINES } from './deadlines.js';
import { producerError } from './errors.js';
import * as ERROR_IDS from './error-ids.js';
import { workerErrorId } from './error-ids.js';

/** @typedef {import('./protocol.js').Request} Request */
/** @typedef {import('./protocol.js').AnsweredAction} AnsweredAction */
/** @typedef {import('./protocol.js').WorkerNotice} WorkerNotice */
/** @typedef {import('./held-events.js').HeldSegment} HandOver */
/** @typedef {{ postMessage(message: unknown): void }} MessageTarget */
/**
 * @typedef {{ postMessage(message: unknown): void, terminate(): void,
 *   addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void }} SessionWorker
 */
/** @typedef {(error: Error | undefined, result?: any) => void} Waiter settles a request: rejects with `error`, else resolves */

/**
 * Posts `request` to `worker`: the page's one way to a worker, typed by
 * action (web/protocol.js).
 * @param {MessageTarget} worker
 * @param {Request} request
 */
export function post(worker, request) {
  worker.postMessage(request);
}

// How long the page waits for each action's reply: a worker that stopped
// answering (killed, crashed, frozen) turns into a rejected promise rather
// than a hang.
/** @type {Partial<Record<AnsweredAction, number>>} */
const REPLY_TIMEOUT_MS = Object.freeze({
  flush: DEADLINES.flushReplyMs,
  pageHidden: DEADLINES.pageHiddenReplyMs,
  init: DEADLINES.initReplyMs,
});

// The page keeps its copy of each hand-over of events until the worker has
// stored it; during a storage outage none is, and the copies of at most this
// many events are kept (as many as are held before init). Past it the oldest
// go, counted in getStats().releasedCopies: a worker ending then loses them.
export const MAX_UNCONFIRMED_EVENTS = 10000;

/**
 * `credentials` (web/credentials.js) stamps the events and answers the
 * worker's questions; `consentSeq()` is the site's consent in force, which a
 * leaving batch must have been built under; `onNotice(notice)` hears the
 * notices that are not the session's own (bus, problem).
 * @param {{
 *   credentials: import('./credentials.js').CredentialsSource,
 *   consentSeq: () => number,
 *   onNotice: (notice: import('./protocol.js').BusNotice | import('./protocol.js').ProblemNotice) => void,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 *   sendLeaving?: Parameters<typeof createLeavingBatch>[0]['send'],
 * }} dependencies
 */
export function createSession({ credentials, consentSeq, onNotice, timers = globalThis, sendLeaving }) {
  /** @type {SessionWorker | null} */
  let worker = null;
  /** @type {ReturnType<typeof createOutbox> | null} */
  let outbox = null;
  let closed = false;
  let ready = false;
  /** @type {Map<number, Waiter>} */
  const replies = new Map();
  let nextRequestId = 1;
  // Hand-overs of events not yet confirmed stored by the worker, by seq: given
  // to the next worker if this one ends first.
  /** @type {Map<number, HandOver>} */
  const unacknowledged = new Map();
  let unacknowledgedEvents = 0;
  let releasedCopies = 0;
  let nextSeq = 1;
  /** @type {((reason: string) => void)[]} */
  const onClose = [];
  let closedBecause = '';
  const leaving = createLeavingBatch({ consentSeq, send: sendLeaving });

  /**
   * Sends a request of an action the worker answers; resolves with its reply.
   * @template {AnsweredAction} A
   * @param {A} action
   * @param {import('./protocol.js').FieldsOf<A>} fields
   * @returns {Promise<import('./protocol.js').ReplyOf<A>>}
   */
  function request(action, fields) {
    return new Promise((resolve, reject) => {
      if (closed || !outbox) {
        reject(producerError(ERROR_IDS.workerClosed, `the producer was shut down before '${action}'`));
        return;
      }
      const id = nextRequestId++;
      /** @type {Waiter} */
      const settle = (error, result) => {
        timers.clearTimeout(timer);
        replies.delete(id);
        if (error) reject(error);
        else resolve(result);
      };
      const timer = timers.setTimeout(
        () => settle(producerError(ERROR_IDS.workerNoReply, `the worker did not answer '${action}'`)),
        REPLY_TIMEOUT_MS[action] ?? DEADLINES.replyMs,
      );
      replies.set(id, settle);
      outbox.send(/** @type {Request} */ ({ id, action, ...fields }));
    });
  }

  /**
   * Posts a message the worker does not answer, straight to it: past the
   * outbox, which may itself be waiting for what this message answers.
   * @param {Request} message
   */
  function tell(message) {
    if (!closed && worker) post(worker, message);
  }

  /**
   * The worker asks for the provider's fresh credentials (a batch got a 401).
   * A provider slower than the worker waits gets no answer: the worker has
   * gone on with the last credentials known.
   * @param {number} requestId
   * @param {string | undefined} subStatus
   */
  async function answerCredentials(requestId, subStatus) {
    const answer = await credentials.ask({ timeoutMs: DEADLINES.credentialsAfterRefusalMs, subStatus });
    if (answer.timedOut) return;
    tell({ action: 'credentials', requestId, credentials: answer.credentials ?? null, error: answer.error });
  }

  /** @param {WorkerNotice} notice */
  function receive(notice) {
    switch (notice.type) {
      case 'reply': {
        const { error } = notice;
        replies.get(notice.id)?.(error && producerError(workerErrorId(error.code), error.message), notice.result);
        return;
      }
      case 'accepted':
        for (const [seq, handOver] of unacknowledged) {
          if (seq > notice.seq) break; // a Map iterates in insertion order: seq order
          unacknowledgedEvents -= handOver.events.length;
          unacknowledged.delete(seq);
        }
        return;
      case 'leaving':
        leaving.hold(notice);
        return;
      case 'credentials-request':
        answerCredentials(notice.requestId, notice.subStatus);
        return;
      default:
        onNotice(notice);
    }
  }

  return {
    request,
    tell,
    /** The batch the page sends itself when hidden (web/leaving-batch.js). */
    leaving,
    /**
     * The session's worker from now on: its notices are read (only this
     * package's worker posts them; anything else is ignored), and what the
     * session sends goes to it.
     * @param {SessionWorker} started
     */
    connect(started) {
      worker = started;
      outbox = createOutbox({ post: (message) => post(started, message), isOpen: () => !closed, credentials });
      started.addEventListener('message', ({ data }) => {
        if (!closed && noticeProblem(data) === null) receive(/** @type {WorkerNotice} */ (data));
      });
    },
    /**
     * Hands `events` to the worker; kept until it confirms them stored. With
     * `stamp`, they go with the provider's current credentials; `urgent`
     * ones (the page is going away) are stored at once.
     * @param {HandOver} handOver
     * @param {{ stamp: boolean, urgent: boolean }} options
     */
    handOver(handOver, { stamp, urgent }) {
      if (!outbox) return;
      const seq = nextSeq++;
      unacknowledged.set(seq, handOver);
      unacknowledgedEvents += handOver.events.length;
      for (const [oldest, kept] of unacknowledged) {
        if (unacknowledgedEvents <= MAX_UNCONFIRMED_EVENTS || oldest === seq) break;
        unacknowledged.delete(oldest);
        unacknowledgedEvents -= kept.events.length;
        releasedCopies += kept.events.length;
      }
      /** @type {import('./protocol.js').RequestOf<'events'>} */
      const message = { action: 'events', seq, ...handOver, urgent };
      if (stamp) outbox.sendStamped(message);
      else outbox.send(message);
    },
    /** Posts what waits for the provider's answer now, without waiting any longer. */
    release: () => outbox?.release(),
    /** The hand-overs the worker has not confirmed stored, oldest first. */
    unacknowledged: () => [...unacknowledged.values()],
    /**
     * Removes the events `purge` removes from the hand-overs not yet stored:
     * a worker that ends before storing them hands them to the next without them.
     * @param {import('./held-events.js').Purge} purge
     */
    purgeUnacknowledged(purge) {
      unacknowledgedEvents -= purge.keepIn(unacknowledged.values());
    },
    /** Events whose copy went before the worker stored them (MAX_UNCONFIRMED_EVENTS). */
    releasedCopies: () => releasedCopies,
    isClosed: () => closed,
    /** True once the worker answered init and takes events, until the session closes. */
    isReady: () => ready && !closed,
    markReady() {
      ready = true;
    },
    /** @param {(reason: string) => void} callback runs when the session ends, with why */
    onClose(callback) {
      if (closed) callback(closedBecause);
      else onClose.push(callback);
    },
    /**
     * Ends the session: its worker stops, its pending replies reject.
     * @param {string} reason
     */
    close(reason) {
      if (closed) return;
      closed = true;
      closedBecause = reason;
      for (const callback of onClose) callback(reason);
      worker?.terminate();
      for (const settle of replies.values()) settle(producerError(ERROR_IDS.workerClosed, reason));
    },
  };
}

/** @typedef {ReturnType<typeof createSession>} Session */
