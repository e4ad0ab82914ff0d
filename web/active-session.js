// The session the page's calls go to: started by init(), replaced when its
// worker ends, ended by shutdown(). Only this session acts on the page's
// state; a late step of an earlier one (an init that was shut down while it
// waited) sees that it is closed and touches nothing. What the app sends
// reaches its worker through here, in the order it was sent.
import { createSession } from './session.js';
import { newAliveLock } from './worker-watch.js';
import { checkOpen, startWorker } from './worker-start.js';
import { rememberStoreId } from './store-id.js';
import { sincePageCreatedWorker } from './init-timings.js';
import { InitError } from './errors.js';
import * as ERROR_IDS from './error-ids.js';

/** @typedef {import('./session.js').Session} Session */
/** @typedef {{ session: Session, started: Promise<void>, marks: import('./init-timings.js').PageMarks | null }} Run */

/** @param {unknown} error */
const messageOf = (error) => String(/** @type {{ message?: unknown }} */ (error)?.message);
/** @param {unknown} error */
const isStorageInitError = (error) => error instanceof InitError && error.errorCode === 'storage';

/**
 * `config()` is the config as init() copied it, `consent()` the site's
 * consent (web/site-consent.js); the rest are the page's other owners.
 * @param {{
 *   config: () => any,
 *   consent: () => import('./site-consent.js').SiteConsent,
 *   held: ReturnType<typeof import('./held-events.js').createHeldEvents>,
 *   credentials: import('./credentials.js').CredentialsSource,
 *   outage: ReturnType<typeof import('./outage.js').createOutage>,
 *   early: ReturnType<typeof import('./early-worker.js').startEarlyWorker>,
 *   watch: ReturnType<typeof import('./worker-watch.js').createWorkerWatch>,
 *   lifecycle: Pick<ReturnType<typeof import('./page-lifecycle.js').createPageLifecycle>, 'isLeaving' | 'started'>,
 * }} dependencies
 */
export function createActiveSession({ config, consent, held, credentials, outage, early, watch, lifecycle }) {
  /** @type {Run | null} */
  let current = null;
  let postScheduled = false;

  /** The categories the site's consent blocks now: what the events sent now are judged by. */
  const blockedNow = () => ({ ...consent().blocked });

  /** A new session, made current. */
  function begin() {
    const session = createSession({
      credentials,
      consentSeq: () => consent().seq,
      onNotice: (notice) => {
        if (notice.type === 'bus') outage.set(notice.outage ? (notice.reason ?? 'delivery') : null);
        else if (config()?.strictMode) console.error(`event-producer: ${notice.message}`);
      },
    });
    /** @type {Run} */
    const run = { session, started: Promise.resolve(), marks: null };
    current = run;
    return run;
  }

  /**
   * Ends `session`: its worker stops, its pending replies reject.
   * @param {Session} session
   * @param {string} reason
   */
  function close(session, reason) {
    session.close(reason);
    if (current?.session === session) current = null;
  }

  /** @param {Run} run */
  async function start(run) {
    const { session } = run;
    const aliveLock = newAliveLock();
    const { summary, marks } = await startWorker(session, { config: config(), early, credentials, consent, aliveLock });
    // A worker that another init started is not this session's to run.
    if (summary.alreadyStarted) throw new InitError('worker', 'the worker had already been started by another init');
    run.marks = marks;
    session.markReady();
    const onEnded = () => workerEnded(session);
    watch.watch(session, { aliveLock, aliveLockHeld: summary.aliveLockHeld === true, onEnded });
    if (summary.storeId) rememberStoreId(summary.storeId);
    // What was held goes in the order it was sent, each part under its consent.
    for (const segment of held.takeSegments()) {
      if (segment.events.length || segment.unserialisable.length) handOver(session, segment);
    }
    postBuffered();
    lifecycle.started();
    // Whether the restored queue is in an outage (and so whether the outage a
    // replaced worker started goes on) comes on the bus once it is restored.
    if (!summary.persistent) {
      outage.set('storage');
      const why = `IndexedDB could not be opened (${summary.storageError}); events are kept in memory only`;
      throw new InitError('storage', why);
    }
  }

  /**
   * The worker of `ended` is gone: what it had not stored is held again, and
   * a new worker starts on the same store.
   * @param {Session} ended
   */
  function workerEnded(ended) {
    if (ended.isClosed() || current?.session !== ended) return;
    close(ended, 'the worker ended');
    held.holdFirst(ended.unacknowledged());
    outage.set('worker');
    restart();
  }

  /** Starts a new session on the tab's store, after a delay that grows while workers keep ending. */
  function restart() {
    const run = begin();
    run.started = watch
      .replace()
      .then(() => (checkOpen(run.session), start(run)))
      .catch((error) => {
        if (isStorageInitError(error)) return; // working in memory
        const replace = current === run;
        close(run.session, messageOf(error));
        if (replace) restart();
      });
  }

  /**
   * Hands `segment` to `session`: stamped with the provider's credentials
   * unless the page is going away (an app's own pagehide handler often sends
   * a last event), when there is no time left and the worker stores at once.
   * @param {Session} session
   * @param {import('./held-events.js').HeldSegment} segment
   * @param {boolean} [stamp]
   */
  function handOver(session, segment, stamp = !lifecycle.isLeaving()) {
    session.handOver(segment, { stamp, urgent: lifecycle.isLeaving() });
  }

  /** The session whose worker takes events now, or null. */
  const ready = () => (current?.session.isReady() ? current.session : null);

  /**
   * Hands the buffered events, sent under `blocked`, to the session if it is ready.
   * @param {import('./protocol.js').BlockedCategories} [blocked]
   */
  function postBuffered(blocked = blockedNow()) {
    postScheduled = false;
    const session = ready();
    if (session && !held.isBufferEmpty()) handOver(session, { ...held.takeBuffer(), blocked });
  }

  /** Resolves once everything sent so far is durable and a send was attempted. */
  async function flush() {
    const run = current;
    if (!run) return;
    // init's failure is its own caller's to hear; a flush then has no worker to ask.
    await run.started.catch(() => {});
    const { session } = run;
    if (!session.isReady()) return;
    postBuffered();
    try {
      await session.request('flush', {});
    } catch (error) {
      // The worker ended during the flush and was replaced: the events it had
      // not stored went to the new one, which flushes them.
      const closed = /** @type {{ id?: string }} */ (error).id === ERROR_IDS.workerClosed;
      if (!closed || !current || current.session === session) throw error;
      await flush();
    }
  }

  return {
    ready,
    workerEnded,
    postBuffered,
    flush,
    /** The session of the last init() or its replacement, ready or not; null after shutdown(). */
    session: () => current?.session ?? null,
    /** The promise of the pending or finished init(), until shutdown(); null if there is none. */
    started: () => current?.started ?? null,
    /** Starts a session with the config (init()); resolves once its worker restored the stored queue. */
    init() {
      const run = begin();
      watch.started();
      run.started = new Promise((resolve, reject) => {
        run.session.onClose((reason) => reject(new InitError('shutdown', reason)));
        start(run).then(resolve, reject);
      }).catch((error) => {
        // Storage failures leave a working producer in memory; others end this session only.
        if (!isStorageInitError(error)) close(run.session, messageOf(error));
        throw error;
      });
      return run.started;
    },
    /** Hands the buffered events to a ready session a microtask from now, with those sent meanwhile. */
    schedulePost() {
      if (!ready() || postScheduled) return;
      postScheduled = true;
      queueMicrotask(() => postBuffered());
    },
    /** getStats(): the worker's, with what only the page knows; null until a worker is ready. */
    async stats() {
      const run = current;
      const session = ready();
      if (!run || !session) return null;
      postBuffered();
      const stats = /** @type {any} */ (await session.request('stats', {}));
      if (stats) {
        stats.credentialsError = credentials.problem();
        stats.releasedCopies = session.releasedCopies();
        if (stats.initTimings && run.marks) stats.initTimings = sincePageCreatedWorker(run.marks, stats.initTimings);
      }
      return /** @type {import('./index.d.ts').Stats | null} */ (stats);
    },
    /** shutdown(): everything sent so far is handed to the worker and made durable, then it stops. */
    async shutdown() {
      const run = current;
      if (!run) return;
      current = null;
      const { session } = run;
      if (session.isReady()) {
        // Unstamped: the worker stops at once, with no time to wait for the provider.
        if (!held.isBufferEmpty()) handOver(session, { ...held.takeBuffer(), blocked: blockedNow() }, false);
        session.release();
        // A worker that ended first has nothing left to stop; shutdown() resolves either way.
        await session.request('shutdown', {}).catch(() => {});
      }
      close(session, 'the producer was shut down');
    },
  };
}
