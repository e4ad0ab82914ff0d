// The page side of the producer: a thin client of the worker. Everything
// that costs time (validation, queueing, storage, sending) happens in the
// worker; sendEvent only serialises the event and buffers it.
//
// Why this file is longer than the others (~700 lines): it is the page's one
// state machine. The sessions (one per init, replaced when a worker ends),
// the events held while no worker is ready, the consent changes ordered
// among them and the page's lifecycle all read and change the same state;
// the parts with no share in it are modules of their own (bus.js, config.js,
// outbox.js, leaving-batch.js, protocol.js, errors.js).
import { Action, Notice, noticeProblem } from './protocol.js';
import { createOutbox, readCredentials } from './outbox.js';
import { bus, emit } from './bus.js';
import { copyConfig, coreConfig } from './config.js';
import { sendLeavingBatch } from './leaving-batch.js';
import { isSurelyTooLarge } from './event-size.js';
import {
  IllegalArgumentError,
  InitError,
  OutageEndMessage,
  OutageStartError,
  TidalError,
  producerError,
} from './errors.js';

export { IllegalArgumentError, InitError, OutageEndMessage, OutageStartError, TidalError, bus };

// Events sent before init resolves are held up to this many; beyond it they
// are dropped and counted as storing failures once the worker runs.
const MAX_HELD_EVENTS = 10000;
// The page keeps its copy of each hand-over of events until the worker has
// stored it; during a storage outage none is, and the copies of at most this
// many events are kept (as many as are held before init). Past it the oldest
// go, counted in getStats().releasedCopies: a worker ending then loses them.
const MAX_UNCONFIRMED_EVENTS = 10000;
// init never hangs: a worker that doesn't answer in this time is an error.
const INIT_TIMEOUT_MS = 20000;
// The credentials provider gets this long at init before the producer starts
// with no credentials (events then carry client-id 'clientIDMissing!').
const CREDENTIALS_TIMEOUT_MS = 5000;
// Where Web Locks are missing, the page asks its worker this often whether it
// is still there (a missed reply, after REPLY_TIMEOUT_MS, means it is gone).
const PING_INTERVAL_MS = 5000;
// A worker that ended is replaced at once; one that ends again within this
// time of its start is replaced after a growing delay (1 s, 2 s, … up to
// RESTART_MAX_DELAY_MS), so a worker that can't run doesn't loop.
const RESTART_RESET_MS = 60000;
const RESTART_MAX_DELAY_MS = 60000;
// The tab's store survives reloads through sessionStorage (per tab, per origin).
const STORE_ID_KEY = 'tep-store-id';

function rememberedStoreId() {
  try {
    return globalThis.sessionStorage?.getItem(STORE_ID_KEY) ?? undefined;
  } catch {
    return undefined; // storage blocked: a new store each load, adopted later
  }
}

function rememberStoreId(id) {
  try {
    globalThis.sessionStorage?.setItem(STORE_ID_KEY, id);
  } catch {
    // see rememberedStoreId
  }
}

let config; // as init() copied it, with later changes
let current = null; // the session of the last init(), until shutdown()
let outage = false;
// Events sent while no session is ready: handed to the next one that is.
let buffer = [];
let unserialisable = [];
let postScheduled = false;
let heldOverflow = 0;
// Consent changed while no session was ready, in order among the events
// buffered around it: [{ events, unserialisable } | { consent, purge }].
let heldSegments = [];
let eventsInHeldSegments = 0;

// --- sessions -----------------------------------------------------------------
//
// Each init() starts a session: its own worker, its pending replies, its
// outbox and its init promise. Only the current session acts on the page's
// state; a late step of an earlier one (an init that was shut down while it
// waited) sees that it is closed and touches nothing.

function createSession() {
  return {
    worker: null,
    ready: false,
    closed: false,
    replies: new Map(),
    nextRequestId: 1,
    outbox: null, // web/outbox.js, once the worker exists
    initPromise: null,
    failInit: null, // rejects initPromise (shutdown during a pending init)
    // The worker holds this Web Lock while it lives; the page waits for it.
    aliveLock: `tep-worker-alive-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`,
    stopWatching: null,
    startedAt: Date.now(),
    // Hand-overs of events not yet confirmed stored by the worker, by seq:
    // given to the next worker if this one ends first.
    unacknowledged: new Map(),
    unacknowledgedEvents: 0,
    releasedCopies: 0, // events whose copy went before the worker stored them (MAX_UNCONFIRMED_EVENTS)
    nextSeq: 1,
    purgedBeforeSeq: 0, // a purge was asked after the hand-overs below this seq
    leaving: null, // the batch the page sends itself when hidden (web/leaving-batch.js)
  };
}

/** Ends `session`: its worker stops, its pending replies and a pending init reject. */
function closeSession(session, reason) {
  if (session.closed) return;
  session.closed = true;
  session.stopWatching?.();
  session.worker?.terminate();
  for (const waiter of session.replies.values()) waiter.reject(producerError('tep.worker.closed', reason));
  session.replies.clear();
  session.failInit?.(new InitError('shutdown', reason));
  if (current === session) current = null;
}

// --- worker plumbing ---------------------------------------------------------

// A worker that stopped answering (killed, crashed, frozen) turns into a
// rejected promise rather than a hang. flush() may wait for a send, which
// times out after 10 s, and a sync; 30 s covers both with room to spare.
const REPLY_TIMEOUT_MS = { [Action.flush]: 30000, [Action.pageHidden]: 30000, [Action.init]: INIT_TIMEOUT_MS };
const DEFAULT_REPLY_TIMEOUT_MS = 10000;

function request(session, action, fields = {}) {
  return new Promise((resolve, reject) => {
    if (session.closed) {
      reject(producerError('tep.worker.closed', `the producer was shut down before '${action}'`));
      return;
    }
    const id = session.nextRequestId++;
    const timer = setTimeout(() => {
      session.replies.delete(id);
      reject(producerError('tep.worker.no_reply', `the worker did not answer '${action}'`));
    }, REPLY_TIMEOUT_MS[action] ?? DEFAULT_REPLY_TIMEOUT_MS);
    session.replies.set(id, {
      resolve: (value) => (clearTimeout(timer), resolve(value)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    session.outbox.send({ id, action, ...fields });
  });
}

async function answerCredentials(session, requestId, subStatus) {
  let credentials = null;
  let error;
  try {
    const provider = config.credentialsProvider;
    if (provider) {
      const got = await provider.getCredentials(subStatus);
      credentials = readCredentials(got);
    }
  } catch (e) {
    error = String(e && e.message ? e.message : e);
  }
  // Straight to the worker: a batch waits for this answer, and the outbox may
  // itself be waiting for the provider.
  if (!session.closed) session.worker.postMessage({ action: Action.credentials, requestId, credentials, error });
}

/**
 * @param {ReturnType<typeof createSession>} session
 * @param {MessageEvent<import('./protocol.js').WorkerNotice>} event
 */
function onWorkerMessage(session, event) {
  const { data } = event;
  // Only this package's worker posts here; anything else is a bug to ignore.
  if (session.closed || noticeProblem(data) !== null) return;
  switch (data.type) {
    case Notice.reply: {
      const waiter = session.replies.get(data.id);
      if (!waiter) return;
      session.replies.delete(data.id);
      if (data.error) {
        waiter.reject(producerError(`tep.worker.${data.error.code}`, data.error.message));
      } else {
        waiter.resolve(data.result);
      }
      return;
    }
    case Notice.bus:
      if (outage !== data.outage) {
        outage = data.outage;
        emit(outage ? new OutageStartError(data.reason === 'storage' ? 'storage' : '1') : OutageEndMessage);
      }
      return;
    case Notice.problem:
      if (config?.strictMode) console.error(`event-producer: ${data.message}`);
      return;
    case Notice.credentialsRequest:
      answerCredentials(session, data.requestId, data.subStatus);
      return;
    case Notice.leaving:
      session.leaving = data.body === null ? null : data;
      return;
    case Notice.accepted:
      for (const seq of session.unacknowledged.keys()) {
        if (seq > data.seq) break; // a Map iterates in insertion order: seq order
        session.unacknowledgedEvents -= session.unacknowledged.get(seq).events.length;
        session.unacknowledged.delete(seq);
      }
      return;
  }
}

// --- a worker that ends after init -------------------------------------------
//
// A worker can end without a word: a crash, out of memory, the browser
// reclaiming it. The page notices (the worker's Web Lock is released, or it
// stops answering pings), tells the bus, and starts a new worker on the same
// store; events sent meanwhile, and those the ended worker had not yet
// stored, go to the new one.

function watchWorker(session, aliveLockHeld) {
  const locks = globalThis.navigator?.locks;
  if (locks && aliveLockHeld) {
    const watching = new AbortController();
    session.stopWatching = () => watching.abort();
    locks.request(session.aliveLock, { signal: watching.signal }, () => onWorkerEnded(session)).catch(() => {}); // aborted by closeSession
    return;
  }
  // A hidden page's timers and its worker may be throttled or paused: it is
  // not asked then, and two pings in a row must go unanswered.
  let missed = 0;
  const timer = setInterval(() => {
    if (globalThis.document?.visibilityState === 'hidden') return;
    request(session, Action.ping).then(
      () => (missed = 0),
      (error) => {
        if (error.id === 'tep.worker.no_reply' && ++missed >= 2) onWorkerEnded(session);
      },
    );
  }, PING_INTERVAL_MS);
  session.stopWatching = () => clearInterval(timer);
}

/** Puts the hand-overs `ended` never confirmed back before everything held, in order. */
function holdUnacknowledged(ended) {
  const segments = [];
  let purge = false;
  for (const [seq, handOver] of ended.unacknowledged) {
    segments.push(
      { consent: handOver.consent, purge: false },
      { events: handOver.events, unserialisable: handOver.unserialisable },
    );
    eventsInHeldSegments += handOver.events.length;
    purge ||= seq < ended.purgedBeforeSeq;
  }
  if (!segments.length) return;
  // Back to today's consent; a purge asked after those hand-overs applies to them again.
  segments.push({ consent: { ...config.blockedConsentCategories }, purge });
  heldSegments = [...segments, ...heldSegments];
}

function onWorkerEnded(ended) {
  if (ended.closed || current !== ended) return;
  const lived = Date.now() - ended.startedAt;
  closeSession(ended, 'the worker ended');
  holdUnacknowledged(ended);
  if (!outage) {
    outage = true;
    emit(new OutageStartError('worker'));
  }
  restartCount = lived > RESTART_RESET_MS ? 0 : restartCount;
  restartWorker();
}

let restartCount = 0;

/** Starts a new session on the tab's store, after a delay that grows while workers keep ending. */
function restartWorker() {
  const delay = restartCount === 0 ? 0 : Math.min(RESTART_MAX_DELAY_MS, 1000 * 2 ** (restartCount - 1));
  restartCount++;
  const session = createSession();
  current = session;
  session.initPromise = new Promise((resolve) => setTimeout(resolve, delay))
    .then(() => {
      checkOpen(session);
      return start(session, { ...config.blockedConsentCategories });
    })
    .then(
      () => {},
      (error) => {
        if (error instanceof InitError && error.errorCode === 'storage') return; // working in memory
        const replace = current === session;
        closeSession(session, String(error.message));
        if (replace) restartWorker();
      },
    );
}

/**
 * Hands `events` and `refused` (events that could not be serialised) to the
 * session's worker, stamped with the provider's current credentials. While
 * the page is hidden or going away (an app's own pagehide handler often
 * sends a last event) there may be no time left: the events go at once,
 * without asking the provider, and the worker stores them without waiting
 * for its group commit.
 */
function handOver(session, events, refused, askProvider) {
  const seq = session.nextSeq++;
  const message = { action: Action.events, seq, events, unserialisable: refused, urgent: handedOver };
  session.unacknowledged.set(seq, { events, unserialisable: refused, consent: { ...config.blockedConsentCategories } });
  session.unacknowledgedEvents += events.length;
  for (const [oldest, kept] of session.unacknowledged) {
    if (session.unacknowledgedEvents <= MAX_UNCONFIRMED_EVENTS || oldest === seq) break;
    session.unacknowledged.delete(oldest);
    session.unacknowledgedEvents -= kept.events.length;
    session.releasedCopies += kept.events.length;
  }
  session.outbox.sendStamped(message, askProvider ? config.credentialsProvider : undefined);
}

/** Hands the buffered events to the current session, if it is ready. */
function postBuffered({ askProvider = !handedOver } = {}) {
  postScheduled = false;
  const session = current;
  if (!session?.ready || (!buffer.length && !unserialisable.length)) return;
  const events = buffer;
  const refused = unserialisable;
  buffer = [];
  unserialisable = [];
  handOver(session, events, refused, askProvider);
}

/**
 * Hands what was held while no session was ready to `session`, in the order
 * it happened: the events sent before each consent change are judged by the
 * consent they were sent under, those after it by the new one.
 */
function postHeld(session) {
  const segments = heldSegments;
  heldSegments = [];
  eventsInHeldSegments = 0;
  for (const segment of segments) {
    if (segment.consent) {
      request(session, Action.consent, { blocked: segment.consent, purge: segment.purge }).catch(() => {});
    } else if (segment.events.length || segment.unserialisable.length) {
      handOver(session, segment.events, segment.unserialisable, !handedOver);
    }
  }
  postBuffered();
}

// visibilitychange and pagehide both fire when a page goes away: one
// hand-over per hidden period is enough.
let handedOver = false;

function onPageHidden() {
  const session = current;
  if (!session?.ready || handedOver) return;
  handedOver = true;
  // The worker may be ended before it hears of this: the page sends the
  // batch the worker keeps ready for it, and tells the worker the outcome.
  const leaving = session.leaving;
  session.leaving = null;
  if (leaving) {
    sendLeavingBatch(leaving, (outcome) => {
      if (!session.closed) session.worker.postMessage({ action: Action.leavingAnswer, ...outcome });
    });
  }
  // No time to wait for the provider: everything goes now.
  session.outbox.release();
  postBuffered({ askProvider: false });
  request(session, Action.pageHidden, leaving ? { leaving: leaving.version } : {}).catch(() => {});
}

function onPageShown() {
  handedOver = false;
}

function tellOnline() {
  if (current?.ready) request(current, Action.online, { online: navigator.onLine !== false }).catch(() => {});
}

// Added once for the page's lifetime, whatever number of sessions it starts.
let pageListenersAdded = false;

function addPageListeners() {
  if (pageListenersAdded || typeof document === 'undefined') return;
  pageListenersAdded = true;
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') onPageHidden();
    else onPageShown();
  });
  globalThis.addEventListener?.('pagehide', onPageHidden);
  globalThis.addEventListener?.('pageshow', onPageShown);
  // Workers don't always hear the network change (emulation, some
  // browsers): the page tells its worker too.
  globalThis.addEventListener?.('online', tellOnline);
  globalThis.addEventListener?.('offline', tellOnline);
}

function withTimeout(promise, ms, onTimeout) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve, reject) => {
      timer = setTimeout(() => {
        try {
          resolve(onTimeout());
        } catch (e) {
          reject(e);
        }
      }, ms);
    }),
  ]);
}

// --- public API ----------------------------------------------------------------

/**
 * Starts the producer: the worker, its stored queue, its timers. Resolves
 * once the stored queue is loaded. A second call returns the first call's
 * promise until shutdown(). Rejects with IllegalArgumentError for a bad
 * config and with InitError when the worker or storage can't start (with
 * storage the producer then keeps working in memory), or when shutdown()
 * is called before it is done (errorCode 'shutdown').
 */
export function init(given) {
  if (current) return current.initPromise;
  let copied;
  try {
    copied = copyConfig(given);
  } catch (error) {
    return Promise.reject(error); // a rejection, as for every other failure of init
  }
  config = copied;
  const session = createSession();
  current = session;
  // The consent the worker starts with: later changes reach it in order.
  const startingConsent = { ...config.blockedConsentCategories };
  session.initPromise = new Promise((resolve, reject) => {
    session.failInit = reject;
    start(session, startingConsent).then(resolve, reject);
  }).catch((error) => {
    // Storage failures leave a working producer in memory; others end this session only.
    if (!(error instanceof InitError && error.errorCode === 'storage')) closeSession(session, String(error.message));
    throw error;
  });
  return session.initPromise;
}

/** Throws if `session` was shut down while its start waited. */
function checkOpen(session) {
  if (session.closed) throw new InitError('shutdown', 'shutdown() was called before init finished');
}

/**
 * The package's own worker. The literal `new Worker(new URL('./worker.js',
 * import.meta.url))` is the form bundlers (Vite, webpack 5) recognise: they
 * bundle the worker, its core and core.wasm, and rewrite the URLs.
 */
function createDefaultWorker() {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

// Wall-clock ms (the page's and the worker's clocks have different origins).
const wallClock = () => performance.timeOrigin + performance.now();

// --- a head start --------------------------------------------------------------
//
// As @tidal-music/event-producer does, the worker is created when the page
// loads this module, and reads the tab's stored queue at once while the page
// compiles the wasm for it (nothing is sent, nothing written: that waits for
// init). init() then takes this worker, so an app's `await init()` costs
// little more than creating the core and opening the store. A config with its own workerUrl or wasmUrl
// can't use it: the early worker is ended and init starts the right one.

let earlyWorker = null; // { worker, failed } until init() takes or ends it

function startEarlyWorker() {
  if (typeof Worker !== 'function' || typeof document === 'undefined') return; // server-side rendering, old browsers
  try {
    const early = { createdAt: wallClock(), worker: createDefaultWorker(), failed: false };
    const { worker } = early;
    // A worker that can't load (CSP worker-src, a missing file) is left to
    // init(), which starts its own and reports why.
    worker.addEventListener(
      'error',
      (event) => {
        event.preventDefault?.();
        early.failed = true;
      },
      { once: true },
    );
    worker.postMessage({ action: Action.prepare, storeId: rememberedStoreId(), wasmFromPage: true });
    // The wasm is fetched and compiled (off the main thread) while the
    // worker's thread starts and its script loads, then handed to it.
    const compiling = WebAssembly.compileStreaming?.(fetch(new URL('./core.wasm', import.meta.url)));
    Promise.resolve(compiling)
      .catch(() => null) // the worker fetches its own
      .then((module) => {
        try {
          worker.postMessage({ action: Action.wasm, module: module ?? null });
        } catch {
          worker.postMessage({ action: Action.wasm, module: null }); // a module this browser can't post
        }
      });
    earlyWorker = early;
  } catch {
    // as above: init() reports it
  }
}

/** The early worker ({ worker, createdAt }) if `given` can use it; otherwise it is ended. */
function takeEarlyWorker(given) {
  const early = earlyWorker;
  earlyWorker = null;
  if (!early) return null;
  if (!early.failed && !given.workerUrl && !given.wasmUrl) return early;
  early.worker.terminate();
  return null;
}

startEarlyWorker();

async function start(session, startingConsent) {
  if (typeof Worker !== 'function') throw new InitError('no_worker', 'Web Workers are not available here');
  session.initCalledAt = wallClock();
  const early = takeEarlyWorker(config);
  session.workerCreatedAt = early?.createdAt ?? session.initCalledAt;
  let worker = early?.worker;
  try {
    worker ??= config.workerUrl ? new Worker(config.workerUrl, { type: 'module' }) : createDefaultWorker();
  } catch (error) {
    throw new InitError('worker', `the worker could not be started (${error.message}); check CSP worker-src`, error);
  }
  session.worker = worker;
  session.outbox = createOutbox({ post: (message) => worker.postMessage(message), isOpen: () => !session.closed });
  const failed = new Promise((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      reject(new InitError('worker', `the worker failed to load: ${event.message || 'script error'}`));
    });
  });
  worker.addEventListener('message', (event) => onWorkerMessage(session, event));
  // The worker compiles the wasm and reads the store while the provider answers.
  const wasmUrl = config.wasmUrl ? String(config.wasmUrl) : undefined;
  const storeId = rememberedStoreId();
  worker.postMessage({ action: Action.prepare, wasmUrl, storeId });

  const credentials = await withTimeout(
    Promise.resolve(config.credentialsProvider?.getCredentials()).catch(() => null),
    CREDENTIALS_TIMEOUT_MS,
    () => null,
  );
  checkOpen(session);
  const summary = await withTimeout(
    Promise.race([
      request(session, Action.init, {
        config: {
          core: coreConfig({ ...config, blockedConsentCategories: startingConsent }),
          tlConsumerUri: config.tlConsumerUri,
          tlPublicConsumerUri: config.tlPublicConsumerUri,
        },
        credentials: readCredentials(credentials),
        wasmUrl,
        storeId,
        aliveLock: session.aliveLock,
      }),
      failed,
    ]),
    INIT_TIMEOUT_MS,
    () => {
      throw new InitError('timeout', `the worker did not start within ${INIT_TIMEOUT_MS} ms`);
    },
  ).catch((error) => {
    throw error instanceof TidalError && error.name === 'InitError'
      ? error
      : new InitError('worker', String(error.message || error), error);
  });
  checkOpen(session);
  session.initAnsweredAt = wallClock();

  session.ready = true;
  watchWorker(session, summary.aliveLockHeld === true);
  if (summary.storeId) rememberStoreId(summary.storeId);
  if (heldOverflow) {
    unserialisable.push({
      name: '(held before init)',
      problem: 'too many events before init',
      reason: 'storing',
      count: heldOverflow,
    });
    heldOverflow = 0;
  }
  postHeld(session);
  addPageListeners();
  if (globalThis.navigator?.onLine === false) tellOnline();
  // Whether the restored queue is in an outage (and so whether the outage a
  // replaced worker started goes on) comes on the bus once it is restored.
  if (!summary.persistent) {
    if (!outage) {
      outage = true;
      emit(new OutageStartError('storage'));
    }
    throw new InitError(
      'storage',
      `IndexedDB could not be opened (${summary.storageError}); events are kept in memory only`,
    );
  }
}

/** The event's name for the counters, from an event that may throw on any access. */
function nameOf(event) {
  try {
    return typeof event?.name === 'string' ? event.name : '';
  } catch {
    return '';
  }
}

/** Counts an event refused on the page (as a validation failure) once a worker runs. */
function refuseOnPage(refused) {
  if (!current?.ready && unserialisable.length >= MAX_HELD_EVENTS) heldOverflow++;
  else unserialisable.push(refused);
}

/**
 * Queues an event: fire-and-forget, never throws for a bad event (it is
 * counted with its reason; strictMode also logs the problem).
 */
export function sendEvent(event) {
  let json;
  try {
    json = JSON.stringify(event);
    if (typeof json !== 'string') throw new TypeError('the event is not an object');
  } catch (error) {
    refuseOnPage({ name: nameOf(event), problem: `[tep.event.not_serialisable] ${error?.message}` });
    json = undefined;
  }
  if (json !== undefined && isSurelyTooLarge(event, json)) {
    refuseOnPage({
      name: nameOf(event),
      problem: `[tep.event.too_large] event '${nameOf(event)}' is 20480 bytes or more`,
    });
    json = undefined;
  }
  const ready = !!current?.ready;
  if (json !== undefined) {
    if (!ready && buffer.length + eventsInHeldSegments >= MAX_HELD_EVENTS) {
      heldOverflow++;
      return;
    }
    buffer.push(json);
  }
  if (ready && !postScheduled) {
    postScheduled = true;
    queueMicrotask(postBuffered);
  }
}

/** The name and consentCategory of a serialised event. */
function nameAndCategoryOf(json) {
  try {
    const { name, consentCategory } = JSON.parse(json) ?? {};
    return { name: typeof name === 'string' ? name : '', category: consentCategory };
  } catch {
    return { name: '', category: undefined };
  }
}

/** Removes the held events of the categories `blocked` blocks, counted as consent-filtered. */
function purgeHeld(blocked) {
  const purged = new Map(); // name → count
  const keep = (events) =>
    events.filter((json) => {
      const { name, category } = nameAndCategoryOf(json);
      if (category === 'NECESSARY' || !blocked[category]) return true;
      purged.set(name, (purged.get(name) ?? 0) + 1);
      return false;
    });
  for (const segment of heldSegments) {
    if (!segment.events) continue;
    const before = segment.events.length;
    segment.events = keep(segment.events);
    eventsInHeldSegments -= before - segment.events.length;
  }
  buffer = keep(buffer);
  for (const [name, count] of purged) {
    unserialisable.push({
      name,
      problem: '[tep.event.consent_purged] purged by a consent change before init finished',
      reason: 'consent',
      count,
    });
  }
}

/** Blocks or unblocks consent categories; `{ purge: true }` also removes queued events of newly blocked ones. */
export function setConsentCategory(partial, options = {}) {
  if (!config) throw new IllegalArgumentError('call init() first');
  config.blockedConsentCategories = { ...config.blockedConsentCategories, ...partial };
  const blocked = { ...config.blockedConsentCategories };
  const purge = !!options.purge;
  if (current?.ready) {
    postBuffered(); // events sent before the change are judged by the old consent
    if (purge) current.purgedBeforeSeq = current.nextSeq;
    request(current, Action.consent, { blocked, purge }).catch(() => {});
    return;
  }
  // No worker to tell yet: the change waits in order among the held events,
  // and a purge takes the held events of newly blocked categories out now
  // (a worker would send them as soon as it had ten).
  if (purge) purgeHeld(blocked);
  // Changes with no event between them are one change (purging if any did),
  // so the held list stays bounded by the events it holds.
  const last = heldSegments[heldSegments.length - 1];
  if (last?.consent && !buffer.length && !unserialisable.length) {
    last.consent = blocked;
    last.purge ||= purge;
    return;
  }
  heldSegments.push({ events: buffer, unserialisable }, { consent: blocked, purge });
  eventsInHeldSegments += buffer.length;
  buffer = [];
  unserialisable = [];
}

export function setCredentialsProvider(provider) {
  if (!config) throw new IllegalArgumentError('call init() first');
  config.credentialsProvider = provider;
}

/** The config as init() copied it, with later changes. */
export function getConfig() {
  return config;
}

/** Resolves once everything sent so far is durable and a send was attempted. */
export async function flush() {
  const session = current;
  if (!session) return;
  await session.initPromise.catch(() => {});
  if (!session.ready || session.closed) return;
  postBuffered();
  try {
    await request(session, Action.flush);
  } catch (error) {
    // The worker ended during the flush and was replaced: the events it had
    // not stored went to the new one, which flushes them.
    if (error.id !== 'tep.worker.closed' || !current || current === session) throw error;
    await flush();
  }
}

/** The outage state as last reported by the worker. */
export function isOutage() {
  return outage;
}

/** Queue depth and bytes, requests in flight, counters, last error. */
export async function getStats() {
  const session = current;
  if (!session?.ready) return null;
  postBuffered();
  const stats = await request(session, Action.stats);
  if (stats) stats.releasedCopies = session.releasedCopies;
  if (stats?.initTimings) stats.initTimings = sincePageCreatedWorker(session, stats.initTimings);
  return stats;
}

/**
 * init's steps in ms since the page created the worker: the worker reports
 * them on its own clock (`timeOrigin`: when its thread started), and the
 * page adds the steps only it sees.
 */
function sincePageCreatedWorker(session, { timeOrigin, ...steps }) {
  const since = (at) => Math.round((at - session.workerCreatedAt) * 10) / 10;
  const timings = { workerStarted: since(timeOrigin) };
  for (const [step, ms] of Object.entries(steps)) timings[step] = since(timeOrigin + ms);
  timings.initCalled = since(session.initCalledAt);
  timings.initAnswered = since(session.initAnsweredAt);
  return timings;
}

/**
 * Makes everything durable and stops the worker; init() may be called again.
 * A pending init() rejects with InitError 'shutdown'; events sent since it
 * was called are kept for the next init().
 */
export async function shutdown() {
  const session = current;
  if (!session) return;
  current = null;
  if (session.ready) {
    // Everything sent so far goes to this worker, to be made durable.
    if (buffer.length || unserialisable.length) {
      handOver(session, buffer, unserialisable, false);
      buffer = [];
      unserialisable = [];
    }
    session.outbox.release();
    await request(session, Action.shutdown).catch(() => {});
  }
  closeSession(session, 'the producer was shut down');
}
