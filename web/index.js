// The page side of the producer: a thin client of the worker. Everything
// that costs time (validation, queueing, storage, sending) happens in the
// worker; sendEvent only serialises the event and buffers it.
import { Action, Notice, noticeProblem } from './protocol.js';
import {
  IllegalArgumentError,
  InitError,
  OutageEndMessage,
  OutageStartError,
  TidalError,
} from './errors.js';

export { IllegalArgumentError, InitError, OutageEndMessage, OutageStartError, TidalError };

// Events sent before init resolves are held up to this many; beyond it they
// are dropped and counted as storing failures once the worker runs.
const MAX_HELD_EVENTS = 10000;
// init never hangs: a worker that doesn't answer in this time is an error.
const INIT_TIMEOUT_MS = 20000;
// The credentials provider gets this long at init before the producer starts
// with no credentials (events then carry client-id 'clientIDMissing!').
const CREDENTIALS_TIMEOUT_MS = 5000;
// Events wait at most this long on the page for the provider's current
// credentials, then go with the last ones known: a slow token refresh must
// not keep events where a closing tab would lose them.
const EVENT_CREDENTIALS_TIMEOUT_MS = 1000;
const BUS_EVENT = 'eventProducerEventBus';
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

let config;
let worker;
let initPromise;
let ready = false;
let outage = false;
let nextRequestId = 1;
const replies = new Map();
let buffer = [];
let unserialisable = [];
let postScheduled = false;
let heldOverflow = 0;
let localBus;

// --- bus ----------------------------------------------------------------------

function busTarget() {
  if (typeof globalThis.addEventListener === 'function') return globalThis;
  localBus ??= new EventTarget();
  return localBus;
}

function emit(detail) {
  const event =
    typeof CustomEvent === 'function'
      ? new CustomEvent(BUS_EVENT, { detail })
      : Object.assign(new Event(BUS_EVENT), { detail });
  busTarget().dispatchEvent(event);
}

/**
 * Subscribes to outage messages: the listener receives an event whose
 * `detail` is an OutageStartError or OutageEndMessage. Returns an
 * unsubscribe function. Also callable as `bus.bus(listener)`.
 */
export function bus(listener) {
  const target = busTarget();
  target.addEventListener(BUS_EVENT, listener);
  return () => target.removeEventListener(BUS_EVENT, listener);
}
bus.bus = bus;

// --- worker plumbing ---------------------------------------------------------

// A worker that stopped answering (killed, crashed, frozen) turns into a
// rejected promise rather than a hang. flush() may wait for a send, which
// times out after 10 s, and a sync; 30 s covers both with room to spare.
const REPLY_TIMEOUT_MS = { [Action.flush]: 30000, [Action.pageHidden]: 30000, [Action.init]: INIT_TIMEOUT_MS };
const DEFAULT_REPLY_TIMEOUT_MS = 10000;

function request(action, fields = {}) {
  return new Promise((resolve, reject) => {
    const id = nextRequestId++;
    const timer = setTimeout(() => {
      replies.delete(id);
      reject(new TidalError(`[tep.worker.no_reply] the worker did not answer '${action}'`));
    }, REPLY_TIMEOUT_MS[action] ?? DEFAULT_REPLY_TIMEOUT_MS);
    replies.set(id, {
      resolve: (value) => (clearTimeout(timer), resolve(value)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    post({ id, action, ...fields });
  });
}

/** What the worker reads of a provider's answer (the spec reads only these two), or null. */
function readCredentials(got) {
  return got ? { clientId: got.clientId ?? null, token: got.token ?? null } : null;
}

async function answerCredentials(requestId, subStatus) {
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
  worker?.postMessage({ action: Action.credentials, requestId, credentials, error });
}

function onWorkerMessage({ data }) {
  // Only this package's worker posts here; anything else is a bug to ignore.
  if (noticeProblem(data) !== null) return;
  switch (data.type) {
    case Notice.reply: {
      const waiter = replies.get(data.id);
      if (!waiter) return;
      replies.delete(data.id);
      if (data.error) {
        waiter.reject(new TidalError(`[tep.worker.${data.error.code}] ${data.error.message}`));
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
      answerCredentials(data.requestId, data.subStatus);
      return;
  }
}

// --- the outbox: events, stamped with the user's current credentials -------
//
// Events carry the credentials of the moment they were sent (the
// `authorization` and `client-id` headers): @tidal-music/event-producer asks
// the credentials provider for every event. Here the provider is asked once
// per hand-over of buffered events, and the worker applies the answer before
// those events, so a log-out or log-in holds from the next events on. While
// the provider answers, later messages wait behind in order.
let outbox = [];
let askingCredentials = false;
let ask = 0; // which ask the outbox waits for (a page going away releases it early)

function post(message) {
  if (askingCredentials) outbox.push(message);
  else worker.postMessage(message);
}

function releaseOutbox() {
  askingCredentials = false;
  const held = outbox;
  outbox = [];
  for (const message of held) worker?.postMessage(message);
}

/** The provider's credentials now, or undefined (keep the last known) if it fails or is slow. */
function currentCredentials(provider) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, EVENT_CREDENTIALS_TIMEOUT_MS);
    const settle = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
    try {
      Promise.resolve(provider.getCredentials()).then(
        (got) => settle(readCredentials(got) ?? undefined),
        () => settle(undefined),
      );
    } catch {
      settle(undefined); // a provider that throws synchronously
    }
  });
}

/**
 * Hands buffered events to the worker. While the page is hidden or going away
 * (an app's own pagehide handler often sends a last event) there may be no
 * time left: the events go at once, without asking the credentials provider,
 * and the worker stores them without waiting for its group commit.
 */
function postBuffered({ askProvider = !handedOver } = {}) {
  postScheduled = false;
  if (!ready || (!buffer.length && !unserialisable.length)) return;
  const message = { action: Action.events, events: buffer, unserialisable, urgent: handedOver };
  buffer = [];
  unserialisable = [];
  const provider = config.credentialsProvider;
  if (!askProvider || !provider || askingCredentials) {
    post(message);
    return;
  }
  askingCredentials = true;
  outbox.push(message);
  const thisAsk = ++ask;
  currentCredentials(provider).then((credentials) => {
    if (thisAsk !== ask || !askingCredentials) return; // released already
    if (credentials) message.credentials = credentials;
    releaseOutbox();
  });
}

// visibilitychange and pagehide both fire when a page goes away: one
// hand-over per hidden period is enough.
let handedOver = false;

function onPageHidden() {
  if (!ready || handedOver) return;
  handedOver = true;
  // No time to wait for the provider: everything goes now.
  releaseOutbox();
  postBuffered({ askProvider: false });
  request(Action.pageHidden).catch(() => {});
}

function onPageShown() {
  handedOver = false;
}

// --- config ------------------------------------------------------------------

function checkUrl(value, field) {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new IllegalArgumentError(`config.${field} must be a URL (got ${typeof value})`);
  }
  try {
    return new URL(value, globalThis.location?.href).href;
  } catch {
    throw new IllegalArgumentError(`config.${field} must be a URL (got ${String(value)})`);
  }
}

// Fields the app may leave out (the core has their defaults) but not get wrong.
const POSITIVE_NUMBER_FIELDS = ['eventBatchInterval', 'monitoringInterval', 'maxDiskUsageBytes', 'maxInFlightBatches'];

function checkPositiveNumber(value, field) {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new IllegalArgumentError(`config.${field} must be a positive number`);
  }
}

function copyConfig(given) {
  if (!given || typeof given !== 'object') throw new IllegalArgumentError('init needs a config object');
  const copy = {
    ...given,
    appInfo: { ...given.appInfo },
    platform: { ...given.platform },
    blockedConsentCategories: { ...given.blockedConsentCategories },
    feralEventTypes: [...(given.feralEventTypes ?? [])],
  };
  copy.tlConsumerUri = checkUrl(given.tlConsumerUri, 'tlConsumerUri');
  copy.tlPublicConsumerUri = checkUrl(given.tlPublicConsumerUri ?? given.tlConsumerUri, 'tlPublicConsumerUri');
  for (const field of POSITIVE_NUMBER_FIELDS) checkPositiveNumber(given[field], field);
  if (given.credentialsProvider && typeof given.credentialsProvider.getCredentials !== 'function') {
    throw new IllegalArgumentError('config.credentialsProvider must have getCredentials()');
  }
  return copy;
}

/** `value` as JSON carries it, or undefined where JSON.stringify fails (BigInt, a cycle). */
function asJson(value) {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What the wasm core reads of the config (src/producer_config.h), in TIDAL's
 * names and as given: the core applies the defaults and uses them for any
 * field that is missing or of the wrong type.
 */
function coreConfig(c) {
  const fields = (object, names) => Object.fromEntries(names.map((name) => [name, asJson(object[name])]));
  return {
    appInfo: fields(c.appInfo, ['appName', 'appVersion']),
    platform: fields(c.platform, ['browserName', 'browserVersion', 'osName', 'osVersion', 'deviceVendor', 'deviceModel']),
    blockedConsentCategories: fields(c.blockedConsentCategories, ['PERFORMANCE', 'TARGETING']),
    ...fields(c, ['strictMode', ...POSITIVE_NUMBER_FIELDS, 'eventTtlMs', 'feralEventTypes']),
  };
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
 * promise. Rejects with IllegalArgumentError for a bad config and with
 * InitError when the worker or storage can't start (with storage the
 * producer then keeps working in memory).
 */
export function init(given) {
  if (initPromise) return initPromise;
  try {
    config = copyConfig(given);
  } catch (error) {
    return Promise.reject(error); // a rejection, as for every other failure of init
  }
  initPromise = start().catch((error) => {
    if (!(error instanceof InitError && error.errorCode === 'storage')) {
      worker?.terminate();
      worker = undefined;
      initPromise = undefined;
    }
    throw error;
  });
  return initPromise;
}

async function start() {
  if (typeof Worker !== 'function') throw new InitError('no_worker', 'Web Workers are not available here');
  try {
    // The literal `new Worker(new URL('./worker.js', import.meta.url))` is the
    // form bundlers (Vite, webpack 5) recognise: they bundle the worker, its
    // core.mjs and core.wasm, and rewrite the URLs.
    worker = config.workerUrl
      ? new Worker(config.workerUrl, { type: 'module' })
      : new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch (error) {
    throw new InitError('worker', `the worker could not be started (${error.message}); check CSP worker-src`, error);
  }
  const failed = new Promise((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      reject(new InitError('worker', `the worker failed to load: ${event.message || 'script error'}`));
    });
  });
  worker.addEventListener('message', onWorkerMessage);

  const credentials = await withTimeout(
    Promise.resolve(config.credentialsProvider?.getCredentials()).catch(() => null),
    CREDENTIALS_TIMEOUT_MS,
    () => null,
  );
  const summary = await withTimeout(
    Promise.race([
      request(Action.init, {
        config: { core: coreConfig(config), tlConsumerUri: config.tlConsumerUri, tlPublicConsumerUri: config.tlPublicConsumerUri },
        credentials: readCredentials(credentials),
        wasmUrl: config.wasmUrl ? String(config.wasmUrl) : undefined,
        storeId: rememberedStoreId(),
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

  ready = true;
  if (summary.storeId) rememberStoreId(summary.storeId);
  if (heldOverflow) {
    unserialisable.push({ name: '(held before init)', problem: 'too many events before init', reason: 'storing', count: heldOverflow });
    heldOverflow = 0;
  }
  postBuffered();
  if (typeof document !== 'undefined') {
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') onPageHidden();
      else onPageShown();
    });
    globalThis.addEventListener?.('pagehide', onPageHidden);
    globalThis.addEventListener?.('pageshow', onPageShown);
    // Workers don't always hear the network change (emulation, some
    // browsers): the page tells its worker too.
    const tellOnline = () => request(Action.online, { online: navigator.onLine !== false }).catch(() => {});
    globalThis.addEventListener?.('online', tellOnline);
    globalThis.addEventListener?.('offline', tellOnline);
    if (globalThis.navigator?.onLine === false) tellOnline();
  }
  if (summary.outage && summary.persistent) {
    outage = true;
    emit(new OutageStartError('1'));
  }
  if (!summary.persistent) {
    outage = true;
    emit(new OutageStartError('storage'));
    throw new InitError('storage', `IndexedDB could not be opened (${summary.storageError}); events are kept in memory only`);
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
    unserialisable.push({ name: nameOf(event), problem: `[tep.event.not_serialisable] ${error?.message}` });
    json = undefined;
  }
  if (json !== undefined) {
    if (!ready && buffer.length >= MAX_HELD_EVENTS) {
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

/** Blocks or unblocks consent categories; `{ purge: true }` also removes queued events of newly blocked ones. */
export function setConsentCategory(partial, options = {}) {
  if (!config) throw new IllegalArgumentError('call init() first');
  config.blockedConsentCategories = { ...config.blockedConsentCategories, ...partial };
  if (ready) {
    postBuffered(); // events sent before the change are judged by the old consent
    request(Action.consent, { blocked: config.blockedConsentCategories, purge: !!options.purge }).catch(() => {});
  }
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
  if (!initPromise) return;
  await initPromise.catch(() => {});
  if (!worker) return;
  postBuffered();
  await request(Action.flush);
}

/** The outage state as last reported by the worker. */
export function isOutage() {
  return outage;
}

/** Queue depth and bytes, requests in flight, counters, last error. */
export async function getStats() {
  if (!worker || !ready) return null;
  postBuffered();
  return request(Action.stats);
}

/** Makes everything durable and stops the worker; init() may be called again. */
export async function shutdown() {
  if (!worker) return;
  postBuffered();
  await request(Action.shutdown).catch(() => {});
  worker.terminate();
  worker = undefined;
  initPromise = undefined;
  ready = false;
  replies.clear();
}
