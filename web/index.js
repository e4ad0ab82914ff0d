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
import { createOutbox } from './outbox.js';
import { askProvider, createCredentialsCheck } from './credentials.js';
import { bus, emit } from './bus.js';
import { copyConfig, coreConfig } from './config.js';
import { sendLeavingBatch } from './leaving-batch.js';
import { BLOCKABLE_CATEGORIES, createSiteConsent } from './site-consent.js';
import { createWorkerRestarts } from './worker-restarts.js';
import { isSurelyTooLarge } from './event-size.js';
import { DEADLINES } from './deadlines.js';
import { askForDelivery, mirrorConsent, rememberConfig } from './service-worker-handoff.js';
import {
  CredentialsError,
  IllegalArgumentError,
  InitError,
  OutageEndMessage,
  OutageStartError,
  TidalError,
  producerError,
} from './errors.js';

export { CredentialsError, IllegalArgumentError, InitError, OutageEndMessage, OutageStartError, TidalError, bus };

// Events sent before init resolves are held up to this many; beyond it they
// are dropped and counted as storing failures once the worker runs.
const MAX_HELD_EVENTS = 10000;
// The page keeps its copy of each hand-over of events until the worker has
// stored it; during a storage outage none is, and the copies of at most this
// many events are kept (as many as are held before init). Past it the oldest
// go, counted in getStats().releasedCopies: a worker ending then loses them.
const MAX_UNCONFIRMED_EVENTS = 10000;
// The time limits (web/deadlines.js): init's and the provider's at init
// (without an answer in time, events carry client-id 'clientIDMissing!'),
// and the pings where Web Locks are missing (a missed reply means the
// worker is gone).
const {
  initMs: INIT_TIMEOUT_MS,
  credentialsAtInitMs: CREDENTIALS_TIMEOUT_MS,
  pingIntervalMs: PING_INTERVAL_MS,
} = DEADLINES;
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
/** @type {ReturnType<typeof createSiteConsent> | null} */
let siteConsent = null; // the site's consent (web/site-consent.js), from the first init()
// The provider's answers as the worker takes them; a refused one is told on the bus once.
const credentialsCheck = createCredentialsCheck({ onRefused: (problem) => emit(new CredentialsError(problem)) });
let current = null; // the session of the last init(), until shutdown()
let outage = false;
// Why: 'delivery', 'queue_full', 'storage' (the worker's) or 'worker' (it ended); null when none.
let outageReason = null;
// The errorCode each reason's OutageStartError carries ('1' as @tidal-music/event-producer).
const OUTAGE_ERROR_CODES = { delivery: '1', queue_full: 'storage', storage: 'storage', worker: 'worker' };

/** Tells the bus when the outage starts, ends, or changes its reason (null: none). */
function setOutage(reason) {
  if (reason === outageReason) return;
  outageReason = reason;
  outage = reason !== null;
  // Events may stay stored past this tab's life: the service worker may
  // send them once the collector is back, even after every tab is closed.
  if (reason === 'delivery') askServiceWorkerForDelivery();
  emit(reason === null ? OutageEndMessage : new OutageStartError(OUTAGE_ERROR_CODES[reason], reason));
}
/** Asks for a Background Sync (web/service-worker-handoff.js), if the app opted in. */
function askServiceWorkerForDelivery() {
  if (config?.serviceWorker) askForDelivery().catch(reportHandOffFailure);
}

/**
 * The service worker could not be handed what it needs (IndexedDB refused the
 * config, the sync could not be asked for): nothing is lost, the next tab
 * sends the events, but an app that opted in hears of it in strict mode.
 */
function reportHandOffFailure(error) {
  if (config?.strictMode) console.error(`event-producer: [tep.service_worker.hand_off] ${error?.message ?? error}`);
}

// Events sent while no session is ready: handed to the next one that is.
let buffer = [];
let unserialisable = [];
let postScheduled = false;
let heldOverflow = 0;
// Events held while no session was ready, each with the categories blocked
// when the app sent them (a consent change starts a new segment):
// [{ events, unserialisable, blocked }].
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
    // Hand-overs of events not yet confirmed stored by the worker, by seq:
    // given to the next worker if this one ends first.
    unacknowledged: new Map(),
    unacknowledgedEvents: 0,
    releasedCopies: 0, // events whose copy went before the worker stored them (MAX_UNCONFIRMED_EVENTS)
    nextSeq: 1,
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
const REPLY_TIMEOUT_MS = {
  [Action.flush]: DEADLINES.flushReplyMs,
  [Action.pageHidden]: DEADLINES.pageHiddenReplyMs,
  [Action.init]: INIT_TIMEOUT_MS,
};
const DEFAULT_REPLY_TIMEOUT_MS = DEADLINES.replyMs;

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
      credentials = credentialsCheck.read(await askProvider(provider, subStatus)) ?? null;
      error = credentialsCheck.problem() ?? undefined;
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
      setOutage(data.outage ? (data.reason ?? 'delivery') : null);
      return;
    case Notice.problem:
      if (config?.strictMode) console.error(`event-producer: ${data.message}`);
      return;
    case Notice.credentialsRequest:
      answerCredentials(session, data.requestId, data.subStatus);
      return;
    case Notice.leaving:
      // Built before the latest consent change: the worker sends a new one.
      session.leaving = data.body === null || data.consentSeq !== siteConsent?.current().seq ? null : data;
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
  for (const handOver of ended.unacknowledged.values()) {
    segments.push(handOver);
    eventsInHeldSegments += handOver.events.length;
  }
  heldSegments = [...segments, ...heldSegments];
}

function onWorkerEnded(ended) {
  if (ended.closed || current !== ended) return;
  closeSession(ended, 'the worker ended');
  holdUnacknowledged(ended);
  setOutage('worker');
  restartWorker();
}

const workerRestarts = createWorkerRestarts();

/** Starts a new session on the tab's store, after a delay that grows while workers keep ending. */
function restartWorker() {
  const session = createSession();
  current = session;
  session.initPromise = workerRestarts
    .replace()
    .then(() => {
      checkOpen(session);
      return start(session);
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
function handOver(session, events, refused, askProvider, blocked = blockedNow()) {
  const seq = session.nextSeq++;
  const message = { action: Action.events, seq, events, unserialisable: refused, urgent: handedOver, blocked };
  session.unacknowledged.set(seq, { events, unserialisable: refused, blocked });
  session.unacknowledgedEvents += events.length;
  for (const [oldest, kept] of session.unacknowledged) {
    if (session.unacknowledgedEvents <= MAX_UNCONFIRMED_EVENTS || oldest === seq) break;
    session.unacknowledged.delete(oldest);
    session.unacknowledgedEvents -= kept.events.length;
    session.releasedCopies += kept.events.length;
  }
  session.outbox.sendStamped(message, askProvider ? config.credentialsProvider : undefined);
}

/** The categories the site's consent blocks now: what the events sent now are judged by. */
function blockedNow() {
  return { ...(siteConsent?.current().blocked ?? { PERFORMANCE: false, TARGETING: false }) };
}

/** Hands the buffered events to the current session, if it is ready. */
function postBuffered({ askProvider = !handedOver, blocked = blockedNow() } = {}) {
  postScheduled = false;
  const session = current;
  if (!session?.ready || (!buffer.length && !unserialisable.length)) return;
  const events = buffer;
  const refused = unserialisable;
  buffer = [];
  unserialisable = [];
  handOver(session, events, refused, askProvider, blocked);
}

/**
 * Hands what was held while no session was ready to `session`, in the order
 * it happened: the events sent before each consent change are judged by the
 * consent they were sent under, those after it by the new one. The consent
 * in force (which rules what leaves) is the site's, which the worker started with.
 */
function postHeld(session) {
  const segments = heldSegments;
  heldSegments = [];
  eventsInHeldSegments = 0;
  for (const segment of segments) {
    if (segment.events.length || segment.unserialisable.length) {
      handOver(session, segment.events, segment.unserialisable, !handedOver, segment.blocked);
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
  // Only a batch built under the latest consent leaves from here.
  const leaving = session.leaving?.consentSeq === siteConsent?.current().seq ? session.leaving : null;
  session.leaving = null;
  if (leaving) {
    sendLeavingBatch(leaving, (outcome) => {
      if (!session.closed) session.worker.postMessage({ action: Action.leavingAnswer, ...outcome });
    });
  }
  // No time to wait for the provider: everything goes now.
  session.outbox.release();
  postBuffered({ askProvider: false });
  request(session, Action.pageHidden, leaving ? { leaving: leaving.version } : {})
    .then((stats) => {
      // Left stored (what consent holds back waits for a change of consent, not a sync).
      if (stats.queued > stats.heldByConsent) askServiceWorkerForDelivery();
    })
    .catch(() => {});
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
  // The config's consent is this tab's statement: the newest, so it wins
  // where it states something (web/site-consent.js).
  siteConsent ??= createSiteConsent({
    onChange: onConsentChanged,
    mirror: config.serviceWorker ? mirrorConsent : null,
  });
  siteConsent.change(config.blockedConsentCategories);
  config.blockedConsentCategories = { ...config.blockedConsentCategories, ...siteConsent.current().blocked };
  if (config.serviceWorker) {
    rememberConfig({ core: coreConfig(config), tlPublicConsumerUri: config.tlPublicConsumerUri }).catch(
      reportHandOffFailure,
    );
  }
  const session = createSession();
  current = session;
  workerRestarts.started();
  session.initPromise = new Promise((resolve, reject) => {
    session.failInit = reject;
    start(session).then(resolve, reject);
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

async function start(session) {
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
  session.outbox = createOutbox({
    post: (message) => worker.postMessage(message),
    isOpen: () => !session.closed,
    read: credentialsCheck.read,
  });
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

  // A provider that fails, throws or answers what can't be credentials: the
  // producer starts logged out.
  const provider = config.credentialsProvider;
  const credentials = await withTimeout(
    provider
      ? askProvider(provider).then(
          (answer) => credentialsCheck.read(answer) ?? null,
          () => null,
        )
      : Promise.resolve(null),
    CREDENTIALS_TIMEOUT_MS,
    () => null,
  );
  checkOpen(session);
  // The worker starts with the site's consent as it is now; later changes reach it in order.
  const consent = siteConsent.current();
  const summary = await withTimeout(
    Promise.race([
      request(session, Action.init, {
        config: {
          core: coreConfig({ ...config, blockedConsentCategories: consent.blocked }),
          tlConsumerUri: config.tlConsumerUri,
          tlPublicConsumerUri: config.tlPublicConsumerUri,
        },
        credentials,
        consent,
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
    setOutage('storage');
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

/**
 * Removes the events of the `purged` categories that the page still holds
 * (before init, or handed to a worker that has not stored them yet), counted
 * as consent-filtered.
 */
function purgeHeld(purged) {
  const counts = new Map(); // name → count
  const keep = (events) =>
    events.filter((json) => {
      const { name, category } = nameAndCategoryOf(json);
      if (!purged.includes(category)) return true;
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return false;
    });
  for (const segment of heldSegments) {
    if (!segment.events) continue;
    const before = segment.events.length;
    segment.events = keep(segment.events);
    eventsInHeldSegments -= before - segment.events.length;
  }
  buffer = keep(buffer);
  // A worker that ends before storing these hands them to the next: without them.
  const session = current;
  for (const handOver of session?.unacknowledged.values() ?? []) {
    const before = handOver.events.length;
    handOver.events = keep(handOver.events);
    if (session) session.unacknowledgedEvents -= before - handOver.events.length;
  }
  for (const [name, count] of counts) {
    unserialisable.push({
      name,
      problem: '[tep.event.consent_purged] purged by a consent change before the worker stored it',
      reason: 'consent',
      count,
    });
  }
}

/**
 * Blocks or unblocks consent categories for the whole site (every tab of
 * the origin, and later visits); `{ purge: true }` also removes the stored
 * events of the categories it blocks. Throws IllegalArgumentError
 * (tep.config.blockedConsentCategories) for a value that is not a boolean,
 * null or undefined.
 */
export function setConsentCategory(partial, options = {}) {
  if (!config || !siteConsent) throw new IllegalArgumentError('call init() first');
  // Events sent before the change are judged by the consent they were sent under.
  const before = blockedNow();
  const purged = siteConsent.change(partial, { purge: !!options?.purge });
  holdBuffered(before);
  onConsentChanged(siteConsent.current(), purged);
}

/**
 * The site's consent changed, in this tab or another: the page's copies
 * follow, what the page holds of the purged categories goes, and the worker
 * is told. A worker that refuses or misses the change is replaced: the new
 * one starts from the site's consent.
 * @param {import('./site-consent.js').SiteConsent} consent
 * @param {import('./site-consent.js').BlockableCategory[]} purged
 */
function onConsentChanged(consent, purged) {
  for (const category of BLOCKABLE_CATEGORIES) config.blockedConsentCategories[category] = consent.blocked[category];
  if (purged.length) purgeHeld(purged);
  const session = current;
  if (session) session.leaving = null; // built under the old consent
  if (!session?.ready) return;
  request(session, Action.consent, { consent }).catch((error) => {
    if (session.closed || error.id === 'tep.worker.closed') return; // the next worker starts from it
    console.error(`event-producer: [tep.consent.not_applied] ${error.message}; restarting the worker`);
    onWorkerEnded(session);
  });
}

/**
 * Hands the buffered events, sent under `blocked`, to the worker if one is
 * ready, or keeps them as a held segment of their own, so that events sent
 * after a consent change are judged by the new consent.
 */
function holdBuffered(blocked) {
  if (!buffer.length && !unserialisable.length) return;
  if (current?.ready) {
    postBuffered({ blocked });
    return;
  }
  heldSegments.push({ events: buffer, unserialisable, blocked });
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
  if (stats) {
    stats.credentialsError = credentialsCheck.problem();
    stats.releasedCopies = session.releasedCopies;
  }
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
