// The session of one init (or of the worker that replaced an ended one): its
// worker, the requests to it and their replies, each with the time-out its
// action allows (web/deadlines.js), the hand-overs of events it has not yet
// confirmed stored, and its end. A session that ended answers nothing more:
// its pending replies reject, and a late message of its worker is ignored.
import { Action, Notice, noticeProblem } from './protocol.js';
import { createOutbox } from './outbox.js';
import { createLeavingBatch } from './leaving-batch.js';
import { DEADLINES } from './deadlines.js';
import { producerError } from './errors.js';
import { ERROR_IDS, workerErrorId } from './error-ids.js';

/** @typedef {import('./protocol.js').Request} Request */
/** @typedef {import('./protocol.js').AnsweredAction} AnsweredAction */
/** @typedef {import('./protocol.js').WorkerNotice} WorkerNotice */
/** @typedef {import('./held-events.js').HeldSegment} HandOver */
/** @typedef {{ postMessage(message: unknown): void }} MessageTarget */
/**
 * @typedef {{ postMessage(message: unknown): void, terminate(): void,
 *   addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void }} SessionWorker
 */
/** @typedef {{ resolve: (value: any) => void, reject: (error: Error) => void }} Waiter */

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
  [Action.flush]: DEADLINES.flushReplyMs,
  [Action.pageHidden]: DEADLINES.pageHiddenReplyMs,
  [Action.init]: DEADLINES.initReplyMs,
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
      const timer = timers.setTimeout(() => {
        replies.delete(id);
        reject(producerError(ERROR_IDS.workerNoReply, `the worker did not answer '${action}'`));
      }, REPLY_TIMEOUT_MS[action] ?? DEADLINES.replyMs);
      replies.set(id, {
        resolve: (value) => (timers.clearTimeout(timer), resolve(value)),
        reject: (error) => (timers.clearTimeout(timer), reject(error)),
      });
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
    tell({ action: Action.credentials, requestId, credentials: answer.credentials ?? null, error: answer.error });
  }

  /** @param {WorkerNotice} notice */
  function receive(notice) {
    switch (notice.type) {
      case Notice.reply: {
        const waiter = replies.get(notice.id);
        if (!waiter) return;
        replies.delete(notice.id);
        if (notice.error) waiter.reject(producerError(workerErrorId(notice.error.code), notice.error.message));
        else waiter.resolve(notice.result);
        return;
      }
      case Notice.accepted:
        for (const [seq, handOver] of unacknowledged) {
          if (seq > notice.seq) break; // a Map iterates in insertion order: seq order
          unacknowledgedEvents -= handOver.events.length;
          unacknowledged.delete(seq);
        }
        return;
      case Notice.leaving:
        leaving.hold(notice);
        return;
      case Notice.credentialsRequest:
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
    handOver({ events, unserialisable, blocked }, { stamp, urgent }) {
      if (!outbox) return;
      const seq = nextSeq++;
      unacknowledged.set(seq, { events, unserialisable, blocked });
      unacknowledgedEvents += events.length;
      for (const [oldest, kept] of unacknowledged) {
        if (unacknowledgedEvents <= MAX_UNCONFIRMED_EVENTS || oldest === seq) break;
        unacknowledged.delete(oldest);
        unacknowledgedEvents -= kept.events.length;
        releasedCopies += kept.events.length;
      }
      const message = { action: Action.events, seq, events, unserialisable, urgent, blocked };
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
      for (const handOver of unacknowledged.values()) {
        const before = handOver.events.length;
        handOver.events = purge.keep(handOver.events);
        unacknowledgedEvents -= before - handOver.events.length;
      }
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
      for (const waiter of replies.values()) waiter.reject(producerError(ERROR_IDS.workerClosed, reason));
      replies.clear();
    },
  };
}

/** @typedef {ReturnType<typeof createSession>} Session */
