// The Web Worker that runs the producer: it loads the wasm core, mounts its
// queue's folder with IDBFS and stores the files the core changed in
// IndexedDB (group commit), drives the core's timers, performs its requests
// with fetch and relays the outage bus to the page.
//
// Why this file is longer than the others (~500 lines): it owns the worker's
// state (the core, its store, the start-up sequence, the handlers of the
// page's messages) and composes the modules that need none of it
// (group-commit, wake-timer, sender, message-loop, page-credentials,
// leaving-batch, outage-state, core-strings, tab-stores), each tested alone.
import createCore from './core.mjs';
import { Action, Notice } from '../web/protocol.js';
import {
  claimStore,
  coordination,
  keptAsidePath,
  newStoreId,
  registerKeptAside,
  storePathOf,
  watchForOrphans,
} from './tab-stores.js';
import { outageChannel } from './outage-channel.js';
import { createOutageState } from './outage-state.js';
import { createCoreStrings } from './core-strings.js';
import { createGroupCommit, RETRY_AFTER_FAILURE_MS } from './group-commit.js';
import { createLeavingBatch } from './leaving-batch.js';
import { createMessageLoop } from './message-loop.js';
import { createPageCredentials } from './page-credentials.js';
import { createFlush } from './flush.js';
import { createSender } from './sender.js';
import { createOutcomeReport } from './outcome-report.js';
import { createWakeTimer } from './wake-timer.js';

let core = null;
let config = null;
let storePath = null; // the queue's folder (an IDBFS mount), and the name of its IndexedDB database
let storedFolders = null; // worker/stored-folders.post.js, inside the module
let storeId = null;
let orphanWatcher = null;
let tabsOutage = null;
let outageState = null;
let adoptedEvents = 0;
let keptAsideFiles = 0; // files of adopted stores this release could not read, kept in their own database
let persistent = false;
let credentials = null;
// The sequence of the site's consent the core has (web/site-consent.js): the
// page sends the leaving batch only if it was built under the latest.
let consentSeq = 0;
// The browser allows 64 KiB of keepalive bodies in flight per page; leave
// room for the headers and another library's beacon.
const KEEPALIVE_BUDGET_BYTES = 60000;
const requestsInFlight = new Map(); // request id → Promise settled with its outcome

// --- strings across the wasm boundary ------------------------------------

let withCString = null; // set once the core is there (worker/core-strings.js)
let withCStrings = null;

// --- durability and the wake-up timer ----------------------------------------

let lastStorageError = null;

// worker/group-commit.js over the core's changed files and IDBFS; set at init.
let groupCommit = null;
let wakeTimer = null;

function startGroupCommit() {
  groupCommit = createGroupCommit({
    core: {
      generation: () => core._tep_storage_generation(),
      takeChangedFiles: () => {
        const joined = core.UTF8ToString(core._tep_take_changed_files());
        return joined ? joined.split('\n') : [];
      },
      persistState: () => core._tep_persist_state(),
    },
    // Where the database lost its files (site data cleared under the tab),
    // this stores the whole folder again.
    store: (names) => storedFolders.store(storePath, names),
    persistent: () => persistent,
    onResult: (error) => {
      lastStorageError = error ? String(error instanceof Error ? error.message : error) : null;
      outageState?.setStorage(!!error);
    },
  });
  wakeTimer = createWakeTimer({
    nextWake: (now) => core._tep_next_wake(now),
    onWake: (now) => {
      core._tep_tick(now);
      afterCoreCall();
    },
  });
}

/**
 * Resolves to true once everything written so far is in IndexedDB, or to
 * false as soon as a write fails (a storage outage; the writes go on being
 * retried). Without IndexedDB there is nothing to wait for.
 */
function durable(urgent) {
  return groupCommit.durable(urgent);
}

/**
 * After every call into the core: store what changed, re-arm the one timer.
 * `urgent` skips the group-commit window: after a confirmation (a confirmed
 * event whose removal is not yet in IndexedDB is sent again if the tab dies
 * now), and for events the page sent while going away.
 */
function afterCoreCall(urgent = false) {
  groupCommit.changed(urgent);
  wakeTimer.arm();
  leavingBatch.changed();
}

// --- the leaving batch (worker/leaving-batch.js) ------------------------------

const leavingBatch = createLeavingBatch({
  body: () => core.UTF8ToString(core._tep_leaving_batch(KEEPALIVE_BUDGET_BYTES)),
  endpoint: () => {
    const token = credentials?.token || null;
    return { url: token ? config.tlConsumerUri : config.tlPublicConsumerUri, token };
  },
  post: (notice) => self.postMessage(notice),
  applyOutcome: (request, outcome) => applyOutcome(request, outcome),
  consentSeq: () => consentSeq,
});

// --- requests ----------------------------------------------------------------

const pageCredentials = createPageCredentials({
  post: (notice) => self.postMessage(notice),
  known: () => credentials,
});

function applyCredentials(fresh) {
  credentials = fresh ? { clientId: fresh.clientId ?? null, token: fresh.token ?? null } : null;
  withCStrings([credentials?.clientId ?? null, credentials?.token ?? null], (clientId, token) =>
    core._tep_set_credentials(clientId, token),
  );
}

let sender = null; // worker/sender.js, set at init

async function perform(request) {
  applyOutcome(request, await sender.send(request, (status) => answered(request, status)));
}

/**
 * The collector answered `request` with `status` and its body is being
 * read: after a success the core sends the next batch now, so one request in
 * flight keeps the connection busy while this confirmation is applied.
 */
function answered(request, status) {
  try {
    core._tep_on_answered(request.id, status, Date.now());
    afterCoreCall();
  } catch (error) {
    reportProblem(`[tep.worker.send] ${error instanceof Error ? error.message : error}`);
  }
}

let reportOutcome = null; // worker/outcome-report.js, set once the core is there

/** Tells the core what became of `request`. */
function applyOutcome(request, outcome) {
  const deliveredBefore = outageState?.delivery ? stats().delivered : 0;
  reportOutcome(request, outcome);
  endOutageOfGoneTab(deliveredBefore);
  afterCoreCall(true);
}

/**
 * An outage another tab started ends here too on this tab's next confirmed
 * delivery: that tab may have closed before it could end it. (This tab's
 * own outage is the core's, which ends it itself.)
 */
function endOutageOfGoneTab(deliveredBefore) {
  if (!outageState?.otherTab || core._tep_outage()) return;
  if (stats().delivered <= deliveredBefore) return;
  outageState.setOtherTab(false);
  tabsOutage?.publish(false);
}

/** Keeps `sending` (request `id`'s whole course) among the requests in flight, which flush waits for. */
function trackRequest(id, sending) {
  const done = sending
    .catch((error) => reportProblem(`[tep.worker.send] ${error}`))
    .finally(() => requestsInFlight.delete(id));
  requestsInFlight.set(id, done);
}

const host = {
  send(request) {
    trackRequest(request.id, perform(request));
  },
  publish(outage, reason) {
    outageState?.setFromCore(reason, outage);
    // Only the delivery outage is the origin's: a full queue or a refused
    // write is this tab's own, told to this page only (the collector may be
    // fine, and other tabs' queues may have room).
    if (reason === 'delivery') tabsOutage?.publish(outage);
  },
  problem(message) {
    reportProblem(message);
  },
};

function reportProblem(message) {
  self.postMessage({ type: Notice.problem, message });
}

// --- actions -----------------------------------------------------------------

// Milliseconds from init's start to each of its steps, for getStats().
let initTimings = null;

/**
 * Moves the events of a gone tab's store into this queue: mounts and loads
 * it with IDBFS, lets the core move its events (as many as fit the disk
 * cap) and counters, and waits until they are stored here, however long a
 * storage outage lasts: meanwhile the store stays claimed (its lock held, its
 * scan pending), so no scan adopts it again and nothing taken from it is
 * sent twice. Then its database is deleted; or, if some of its events did
 * not fit, what was taken is removed from it in IndexedDB, and the rest
 * waits there for a later scan. Files the core could not read (a later
 * release's) are first copied into a database of their own (keptAsidePath),
 * so deleting the store never deletes them. Resolves to how many events it
 * took and whether it deleted the store.
 */
async function adoptStore(path) {
  const error = await storedFolders.load(path);
  if (error) {
    await storedFolders.drop(path, false);
    throw error;
  }
  let report;
  try {
    const json = withCString(path, (pointer) => core.UTF8ToString(core._tep_adopt(pointer, Date.now())));
    report = JSON.parse(json);
    adoptedEvents += report.taken;
    afterCoreCall();
    await groupCommit.stored(true);
    if (report.remaining > 0 || report.keptFiles.length) {
      // Kept, for now or for good: it must no longer hold what was taken.
      await storeUntilStored(path, report.changedFiles);
    }
    if (report.remaining > 0) {
      await storedFolders.drop(path, false);
      return { taken: report.taken, deleted: false };
    }
    if (report.keptFiles.length) {
      await storedFolders.keepAside(path, report.keptFiles, keptAsidePath(path));
      await registerKeptAside(keptAsidePath(path)).catch(() => {}); // unlisted, it is only never removed
      keptAsideFiles += report.keptFiles.length;
    }
  } catch (failure) {
    await storedFolders.drop(path, false);
    throw failure;
  }
  await storedFolders.drop(path, true);
  return { taken: report.taken, deleted: true };
}

/** Stores the named files of the folder at `path`, trying again while IndexedDB refuses. */
async function storeUntilStored(path, names) {
  for (;;) {
    try {
      await storedFolders.store(path, names);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_FAILURE_MS));
    }
  }
}

/**
 * Holds `name` for the worker's lifetime: the page waits for the same lock,
 * which it gets the moment this worker ends (crash, out of memory, killed
 * by the browser), and then starts another on the same store.
 */
function holdAliveLock(name) {
  const locks = self.navigator?.locks;
  if (!name || !locks) return Promise.resolve(false);
  return new Promise((answer) => {
    locks
      .request(name, () => {
        answer(true);
        return new Promise(() => {}); // released only when the worker ends
      })
      .catch(() => answer(false));
  });
}

// performance.now() in a worker counts from the start of its thread
// (performance.timeOrigin): this is how long fetching and evaluating its
// script took.
const scriptEvaluatedAt = performance.now();
const elapsed = () => Math.round(performance.now() * 10) / 10;

// Messages other than init wait until the core is created and the stored
// queue restored, which both happen right after init answered.
let restored = false;
let restoring = null; // createAndRestore's promise, from init's answer on
let preparing = null; // the start-up work that needs no config, begun by 'prepare' or 'init'

// The early worker's wasm: the page fetches and compiles core.wasm while this
// worker's thread starts and its script loads, and posts the module ('wasm').
/** @type {(module: WebAssembly.Module | null) => void} */
let receivePageWasm = () => {};
const pageWasm = new Promise((resolve) => (receivePageWasm = resolve));

/** An instance of the page's module, or, if the page could not compile it, of core.wasm fetched here. */
async function instantiateFromPage(imports) {
  const module = await pageWasm;
  if (module) return WebAssembly.instantiate(module, imports);
  // The rare path (the page's fetch or compile failed): bytes work whatever MIME type the file is served with.
  const bytes = await (
    await fetch(new URL('core.wasm', import.meta.url), { credentials: 'same-origin' })
  ).arrayBuffer();
  return (await WebAssembly.instantiate(bytes, imports)).instance;
}

/**
 * Loads the stored folder at `path`: `opened` resolves once its database is
 * open, `read` once its files are in memory; each to null or to the error.
 */
function load(path) {
  /** @type {(error: unknown) => void} */
  let onOpened = () => {};
  const opened = new Promise((resolve) => (onOpened = resolve));
  const read = storedFolders.load(path, onOpened);
  // A load that failed before opening says so to both.
  read.then(onOpened);
  return { opened, read };
}

/**
 * What init needs before the config: the wasm compiled, the tab's store
 * claimed and its files read from IndexedDB, all at once. The page asks for
 * it the moment it creates the worker, so it overlaps with the page's wait
 * for the credentials provider. Returns promises of each step, so that init
 * can answer while the wasm is still instantiated and the store read, and the timings,
 * in ms since the worker's thread started (`timeOrigin`; the page counts
 * them from its creation of the worker).
 */
/** @param {Pick<import('../web/protocol.js').PrepareRequest, 'wasmUrl' | 'storeId' | 'wasmFromPage'>} request */
function prepare({ wasmUrl, storeId: preferredStoreId, wasmFromPage = false }) {
  if (preparing) return preparing;
  const timings = {
    timeOrigin: performance.timeOrigin,
    scriptEvaluated: Math.round(scriptEvaluatedAt * 10) / 10,
    prepareReceived: elapsed(),
  };
  // The store is claimed first: the lock is the browser's to grant, and it
  // does so while this thread evaluates the module's glue below (4-6 ms).
  // After a reload the claim is the tab's own store, almost always free
  // (reading it meanwhile takes nothing from its owner if not); in a new tab
  // the new store, whose random name no one else holds.
  const freshStoreId = newStoreId();
  const claimed = claimStore(preferredStoreId, freshStoreId).then((claim) => {
    timings.storeClaimed = elapsed();
    storeId = claim.id;
    storePath = claim.path;
    return claim;
  });
  // A core that aborted (out of memory, a trap) can't be called again: the
  // worker ends, and the page starts a new one on the same store.
  const options = { host, onAbort: () => self.close() };
  if (wasmUrl) options.locateFile = (file) => (file.endsWith('.wasm') ? wasmUrl : file);
  let instantiationFailed = new Promise(() => {});
  if (wasmFromPage) {
    instantiationFailed = new Promise((_, reject) => {
      options.instantiateWasm = (imports, receive) => {
        instantiateFromPage(imports).then((instance) => receive(instance), reject);
        return {}; // the exports come through receive
      };
    });
  }
  const compiled = Promise.race([createCore(options), instantiationFailed]).then(
    (compiled) => ((timings.wasmReady = elapsed()), compiled),
  );
  // What init waits for of the wasm: that it will run. A module the page
  // compiled will (instantiating it fails only for want of memory, and then
  // the worker ends and is replaced); one this worker fetches itself may not
  // be there at all, and init must say so.
  const wasmWillRun = wasmFromPage ? pageWasm.then((module) => (module ? null : compiled)) : compiled;
  // The module's JS (and so IDBFS) is there at once; only the wasm is still
  // compiling: the store's files are read meanwhile.
  storedFolders = options.storedFolders;
  // The folder's database was closed or deleted under the worker: store it
  // whole again now, not only at the next change.
  storedFolders.onLost = (path) => {
    if (path === storePath && persistent) groupCommit?.schedule(0);
  };
  const guess = storePathOf(preferredStoreId || freshStoreId);
  const loadingGuess = load(guess);
  const loading = claimed.then((claim) => {
    if (claim.path === guess) return loadingGuess;
    loadingGuess.read.then(() => storedFolders.drop(guess, false));
    return load(claim.path);
  });
  const opened = loading.then(({ opened }) => opened).then((error) => ((timings.storeOpened = elapsed()), error));
  const read = loading.then(({ read }) => read).then((error) => ((timings.storeRead = elapsed()), error));
  preparing = { compiled, wasmWillRun, claimed, opened, read, timings };
  return preparing;
}

let initStarted = false;

/** @param {import('../web/protocol.js').InitRequest} request */
async function init({
  config: given,
  credentials: initialCredentials,
  consent: initialConsent,
  wasmUrl,
  storeId: preferredStoreId,
  aliveLock,
}) {
  if (initStarted) {
    await preparing?.claimed.catch(() => {});
    return { alreadyStarted: true, storeId };
  }
  initStarted = true;
  config = given;
  // The Web Lock the page waits on is taken meanwhile (without it, no Web
  // Locks in this worker, the page pings instead).
  const holdingAliveLock = holdAliveLock(aliveLock);
  const prepared = prepare({ wasmUrl, storeId: preferredStoreId });
  const { timings } = prepared;
  timings.initReceived = initReceivedAt;
  // init answers once the store is claimed, its database is open and the
  // wasm is sure to run: the page may send from then on. The config needs no
  // core to be judged (the page checked it, the core takes any JSON object,
  // with its defaults), so the core is created after the answer, and every
  // message but init waits in the message loop until it is and the queue is
  // restored (flush and getStats see every restored event).
  const [, openError] = await Promise.all([prepared.claimed, prepared.opened, prepared.wasmWillRun]);
  persistent = !openError;
  if (openError) lastStorageError = String(openError.message || openError);
  const aliveLockHeld = await holdingAliveLock;
  // A task later, so that the answer is posted first. Where IndexedDB can't
  // be opened, init answers after the restore instead, and says so.
  const answerFirst = openError ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, 0));
  restoring = answerFirst.then(() => createAndRestore(prepared, initialCredentials, initialConsent));
  if (openError) await restoring;
  else {
    // A start that fails after init answered leaves a worker that can't
    // serve: it ends, as after an abort, and the page starts a new one.
    restoring.catch((error) => {
      reportProblem(`[tep.worker.restore] ${error instanceof Error ? error.message : error}`);
      self.close();
    });
  }
  timings.replied = elapsed();
  const shared = { storeId, coordination: coordination(), aliveLockHeld };
  return persistent
    ? { ...shared, persistent: true }
    : { ...shared, persistent: false, storageError: lastStorageError };
}

/**
 * Creates the core with init's config and the site's consent once the wasm
 * runs, then restores the stored queue into it.
 */
async function createAndRestore(prepared, initialCredentials, initialConsent) {
  core = await prepared.compiled;
  ({ withCString, withCStrings } = createCoreStrings(core));
  reportOutcome = createOutcomeReport({ core, withCStrings });
  const created = withCStrings([JSON.stringify(config.core), storePath], (c, folder) => core._tep_create(c, folder));
  if (created !== 0) throw Object.assign(new Error('the core refused the config'), { code: 'config' });
  applyCredentials(initialCredentials);
  // Before the restore, which removes what the site's consent purged.
  applyConsent(initialConsent);
  prepared.timings.coreCreated = elapsed();
  await restoreAndStart(prepared.read, prepared.timings);
}

/**
 * The rest of init, after it answered: the stored queue is read into the
 * core, and sending, the outage state and the adoption of gone tabs' stores
 * start. Tells the page the outage state the restored queue is in.
 */
async function restoreAndStart(reading, timings) {
  const storageError = await reading;
  persistent = !storageError;
  if (storageError) {
    // Keep working in memory; the page hears it on the bus.
    lastStorageError = String(storageError.message || storageError);
  }
  startGroupCommit();
  sender = createSender({
    credentials: {
      current: () => credentials,
      refresh: async (subStatus) => {
        const fresh = await pageCredentials.ask(subStatus);
        if (fresh !== credentials) applyCredentials(fresh);
        return credentials;
      },
    },
    // Credentials come with each hand-over of events; the page's provider is
    // asked only when the collector refused them (a 401), and never for a
    // keepalive batch: the page is going away, its answer would come too late.
    refreshFirst: (request) => request.refreshCredentials && !request.keepalive,
    endpoints: () => config,
  });
  const summary = JSON.parse(core.UTF8ToString(core._tep_restore(Date.now())));
  restored = true;
  timings.restored = elapsed();
  initTimings = timings;
  core._tep_set_online(self.navigator?.onLine === false ? 0 : 1, Date.now());
  self.addEventListener('online', () => {
    core._tep_set_online(1, Date.now());
    afterCoreCall();
  });
  self.addEventListener('offline', () => {
    core._tep_set_online(0, Date.now());
    afterCoreCall();
  });
  // What was restored is in IndexedDB already; compaction done by the restore
  // is synced in the background.
  afterCoreCall();
  outageState = createOutageState((change) => self.postMessage({ type: Notice.bus, ...change }), {
    delivery: summary.outage,
    storage: !!storageError,
  });
  // The page doesn't know yet: the restored queue may be in an outage, and a
  // page whose worker was replaced is in one until this says otherwise.
  outageState.tell();
  tabsOutage = outageChannel(storePath, {
    // Another tab's word is advice: its end ends only an outage heard from
    // another tab, never this tab's own (the core's, which only a confirmed
    // delivery ends), and it triggers at most one early retry per backoff
    // step, so repeated (or forged) news can't make every tab retry at once.
    onRemoteChange(outage) {
      outageState.setOtherTab(outage);
      // The collector may be back: retry now rather than at the end of this
      // tab's backoff. It starts in this very task: a background tab's
      // timers may be throttled.
      if (!outage && self.navigator?.onLine !== false) {
        core._tep_retry_early(Date.now());
        afterCoreCall();
      }
    },
    inOutage: () => outageState.delivery,
  });
  if (persistent) {
    orphanWatcher = watchForOrphans({
      ownPath: storePath,
      adopt: adoptStore,
      onError: (error) => reportProblem(`[tep.tabs.adoption] ${error instanceof Error ? error.message : error}`),
    });
    // The first scan for gone tabs' stores waits until init has answered.
    setTimeout(() => orphanWatcher.scan(), 0);
  }
}

// What the page refused an event for, in the order tep_count_refused_on_page numbers them.
const REFUSAL_REASONS = ['validation', 'storing', 'consent'];

/** @param {import('../web/protocol.js').EventsRequest} request */
function acceptEvents({ seq, events = [], unserialisable = [], credentials: current, urgent = false, blocked }) {
  // The page's credentials at the time these events were sent (log-in, log-out).
  if (current !== undefined) applyCredentials(current);
  const now = Date.now();
  if (events.length) sendEvents(events, now, entryBlocked(blocked));
  for (const refused of unserialisable) countRefused(refused);
  afterCoreCall(urgent); // urgent: the page is going away, store them now
  // The page keeps these events until they are stored, to hand them to the
  // next worker if this one dies first: during a storage outage, until a
  // write succeeds (without IndexedDB, at once: there is nothing to wait for).
  if (seq !== undefined) groupCommit.stored(urgent).then(() => self.postMessage({ type: Notice.accepted, seq }));
}

/**
 * Hands `events` (JSON texts) to the core in one call; if the core can't
 * take them all at once (its memory can't grow that much), one by one, and
 * an event that still doesn't fit is counted as a storing failure.
 */
function sendEvents(events, now, blocked) {
  try {
    withCString(events.join('\n'), (pointer, length) => core._tep_send_events(pointer, length, now, blocked));
    return;
  } catch (error) {
    if (error.code !== 'out_of_memory') throw error;
  }
  for (const json of events) {
    try {
      withCString(json, (pointer, length) => core._tep_send_events(pointer, length, now, blocked));
    } catch (error) {
      if (error.code !== 'out_of_memory') throw error;
      countRefused({ name: '', problem: error.message, reason: 'storing' });
    }
  }
}

/**
 * The consent the page's events were sent under, as tep_send_events takes
 * it: a bit per blocked category, or -1 for the consent in force.
 * @param {import('../web/protocol.js').BlockedCategories | undefined} blocked
 */
function entryBlocked(blocked) {
  if (!blocked) return -1;
  return (blocked.PERFORMANCE ? 1 : 0) | (blocked.TARGETING ? 2 : 0);
}

/**
 * Makes `consent` (web/site-consent.js) the core's: what it blocks stays
 * queued and unsent, what it purges is removed.
 * @param {import('../web/site-consent.js').SiteConsent} consent
 */
function applyConsent(consent) {
  const { blocked, purgedBefore } = consent;
  core._tep_set_consent(
    blocked.PERFORMANCE ? 1 : 0,
    blocked.TARGETING ? 1 : 0,
    purgedBefore.PERFORMANCE ?? -Infinity,
    purgedBefore.TARGETING ?? -Infinity,
  );
  consentSeq = consent.seq;
}

/** @param {import('../web/protocol.js').RefusedEvent} refused */
function countRefused({ name, problem, reason, count = 1 }) {
  withCStrings([String(name ?? ''), String(problem)], (n, p) =>
    core._tep_count_refused_on_page(n, p, REFUSAL_REASONS.indexOf(reason ?? 'validation'), count),
  );
}

function stats() {
  const result = JSON.parse(core.UTF8ToString(core._tep_stats()));
  result.persistent = persistent;
  result.storeId = storeId;
  result.coordination = coordination();
  result.adoptedEvents = adoptedEvents;
  result.keptAsideFiles = keptAsideFiles;
  result.storageError = lastStorageError;
  result.durable = groupCommit.isDurable();
  result.initTimings = initTimings;
  result.rejectedMessages = messageLoop.rejected() + (tabsOutage?.rejected() ?? 0) + (orphanWatcher?.rejected() ?? 0);
  return result;
}

/**
 * Sends everything queued now, batch after batch, and resolves once it is
 * durable and every batch was attempted; stops early when an attempt fails
 * (the backoff then takes over), so a dead collector can't make it spin.
 */
const flush = createFlush({
  sendNow: () => {
    core._tep_flush(Date.now());
    afterCoreCall();
  },
  inFlight: () => [...requestsInFlight.values()],
  // Without IndexedDB there is no write to fail: flush goes on sending.
  durable: () => (persistent ? durable(true) : Promise.resolve(true)),
  stats,
});

/**
 * The page is hidden or unloading: everything is made durable now, and one
 * keepalive batch goes. If the page sent the leaving batch it held
 * (`leaving`: its version), that batch is the one: its events are in flight
 * until the page tells its answer. Otherwise the worker sends one.
 * @param {import('../web/protocol.js').PageHiddenRequest} request
 */
async function pageHidden({ leaving }) {
  const made = durable(true);
  const sentByPage = leavingBatch.sentByPage(leaving);
  if (sentByPage) {
    const id = withCString(sentByPage.join('\n'), (ids, length) => core._tep_claim_leaving_batch(ids, length));
    if (id) trackRequest(id, leavingBatch.awaitPageAnswer({ id }));
  } else {
    core._tep_send_keepalive(KEEPALIVE_BUDGET_BYTES, Date.now());
  }
  afterCoreCall();
  await made;
  return stats();
}

const handlers = {
  [Action.prepare]: (message) => {
    const { compiled, opened, read } = prepare(message);
    // init reports a failure
    for (const step of [compiled, opened, read]) step.catch(() => {});
  },
  [Action.wasm]: (/** @type {import('../web/protocol.js').WasmRequest} */ { module }) => receivePageWasm(module),
  [Action.init]: (message) => {
    initReceivedAt = elapsed();
    return init(message);
  },
  [Action.events]: acceptEvents,
  [Action.flush]: flush,
  [Action.consent]: (/** @type {import('../web/protocol.js').ConsentRequest} */ { consent }) => {
    applyConsent(consent);
    afterCoreCall();
  },
  [Action.credentials]: (
    /** @type {import('../web/protocol.js').CredentialsAnswer} */ { requestId, credentials: fresh },
  ) => {
    pageCredentials.answer(requestId, fresh);
  },
  [Action.stats]: stats,
  [Action.pageHidden]: pageHidden,
  [Action.online]: (/** @type {import('../web/protocol.js').OnlineRequest} */ { online }) => {
    core._tep_set_online(online ? 1 : 0, Date.now());
    afterCoreCall();
  },
  [Action.ping]: () => true,
  // The service worker's one errand (worker/service-worker.js): the stores
  // no live tab holds, adopted, then everything sent that can be.
  [Action.deliverStored]: async () => {
    await orphanWatcher?.scan();
    return flush();
  },
  [Action.leavingAnswer]: (
    /** @type {import('../web/protocol.js').LeavingAnswer} */ { version, kind, status, body, retryAfter, date },
  ) => leavingBatch.pageAnswered(version, { kind, status, body, retryAfter, date }),
  [Action.shutdown]: async () => {
    orphanWatcher?.stop();
    await durable(true);
    wakeTimer.clear();
    setTimeout(() => self.close(), 0);
  },
};

let initReceivedAt = 0;

const messageLoop = createMessageLoop({
  handlers,
  ready: () => restored,
  starting: () => restoring,
  needsReady: (action) => action !== Action.init && action !== Action.prepare && action !== Action.wasm,
  post: (notice) => self.postMessage(notice),
  reportProblem,
});
self.onmessage = ({ data }) => messageLoop.receive(data);
