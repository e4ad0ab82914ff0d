// The Web Worker that runs the producer: it loads the wasm core, mounts its
// queue's folder with IDBFS and stores the files the core changed in
// IndexedDB (group commit), drives the core's timers, performs its requests
// with fetch and relays the outage bus to the page.
import createCore from './core.mjs';
import { Action, Notice, requestProblem } from '../web/protocol.js';
import { claimStore, coordination, keptAsidePath, outageChannel, watchForOrphans } from './tab-stores.js';
import { createOutageState } from './outage-state.js';
import { createCoreStrings } from './core-strings.js';
import { readCappedBody } from './response-body.js';

// Group commit window: events arriving within it share one IndexedDB
// transaction; 20 ms keeps sendEvent → durable well under the 100 ms target.
const SYNC_DELAY_MS = 20;
// The spec's request timeout.
const REQUEST_TIMEOUT_MS = 10000;
// flush() stops starting new batches after this long: with one last request
// (at most REQUEST_TIMEOUT_MS) it still answers within the page's 30 s wait.
const FLUSH_BUDGET_MS = 15000;
// How long a batch waits for the page's credentials provider before it is
// sent with the last credentials known.
const CREDENTIALS_TIMEOUT_MS = 5000;

let core = null;
let config = null;
let storePath = null; // the queue's folder (an IDBFS mount), and the name of its IndexedDB database
let storedFolders = null; // worker/stored-folders.post.js, inside the module
let storeId = null;
let orphanWatcher = null;
let tabsOutage = null;
let outageState = null;
let adoptedEvents = 0;
let acceptingEvents = false; // inside acceptEvents' calls into the core
let keptAsideFiles = 0; // files of adopted stores this release could not read, kept in their own database
let persistent = false;
let credentials = null;
let wakeTimer = 0;
let wakeAt = -1;
const requestsInFlight = new Map(); // request id → Promise settled with its outcome
const credentialWaiters = new Map(); // requestId → resolve
let nextCredentialsRequestId = 1;

// --- strings across the wasm boundary ------------------------------------

let withCString = null; // set once the core is there (worker/core-strings.js)
let withCStrings = null;

// --- durability: group commit of the changed files to IndexedDB -----------

/** Names of the queue's files the core changed since the last call. */
function takeChangedFiles() {
  const joined = core.UTF8ToString(core._tep_take_changed_files());
  return joined ? joined.split('\n') : [];
}

let syncRunning = false;
let nextSyncDelay = SYNC_DELAY_MS;
let syncTimer = 0;
let syncedGeneration = 0;
// Files changed in memory and not yet stored in IndexedDB (by name in the store).
const unsyncedFiles = new Set();
let lastStorageError = null;
const durabilityWaiters = []; // { generation, resolve }

function scheduleSync(delay = SYNC_DELAY_MS) {
  if (!persistent) {
    takeChangedFiles(); // nothing to store them in: forget them
    settleDurabilityWaiters(Infinity);
    return;
  }
  if (syncRunning) {
    nextSyncDelay = Math.min(nextSyncDelay, delay); // the running sync reschedules itself
    return;
  }
  if (syncTimer && delay > 0) return;
  clearTimeout(syncTimer);
  syncTimer = setTimeout(runSync, delay);
}

function runSync() {
  syncTimer = 0;
  if (syncRunning) return;
  syncRunning = true;
  core._tep_persist_state();
  const generation = core._tep_storage_generation();
  for (const name of takeChangedFiles()) unsyncedFiles.add(name);
  const names = [...unsyncedFiles];
  unsyncedFiles.clear();
  // One transaction at a time, so a later one never lands before an earlier
  // one. Where the database lost its files (site data cleared under the
  // tab), this stores the whole folder again.
  storedFolders.store(storePath, names).then(() => null, (error) => error).then((error) => {
    syncRunning = false;
    if (error) {
      lastStorageError = String(error && error.message ? error.message : error);
      outageState?.setStorage(true);
      for (const name of names) unsyncedFiles.add(name);
      // Whoever waits for durability hears now that it failed, rather than
      // waiting as long as the storage outage lasts.
      settleDurabilityWaiters(Infinity, false);
      // Retry later; what is in memory is still sent.
      syncTimer = setTimeout(runSync, 1000);
      return;
    }
    lastStorageError = null;
    outageState?.setStorage(false);
    syncedGeneration = generation;
    settleDurabilityWaiters(generation);
    const delay = durabilityWaiters.length ? 0 : nextSyncDelay;
    nextSyncDelay = SYNC_DELAY_MS;
    if (core._tep_storage_generation() > generation || durabilityWaiters.length) scheduleSync(delay);
  });
}

/** Resolves the waiters for `generation` or earlier with `made` (true: durable; false: the write failed). */
function settleDurabilityWaiters(generation, made = true) {
  for (let i = durabilityWaiters.length - 1; i >= 0; i--) {
    if (durabilityWaiters[i].generation <= generation) {
      durabilityWaiters[i].resolve(made);
      durabilityWaiters.splice(i, 1);
    }
  }
}

/**
 * Resolves to true once everything written so far is in IndexedDB, or to
 * false as soon as a write fails (a storage outage; the writes go on being
 * retried). Without IndexedDB there is nothing to wait for.
 */
function durable(urgent) {
  if (!persistent) return Promise.resolve(false);
  const generation = core._tep_storage_generation();
  if (generation <= syncedGeneration) return Promise.resolve(true);
  return new Promise((resolve) => {
    durabilityWaiters.push({ generation, resolve });
    scheduleSync(urgent ? 0 : SYNC_DELAY_MS);
  });
}

// --- timers ----------------------------------------------------------------

/**
 * After every call into the core: sync what changed, re-arm the one timer.
 * `urgent` skips the group-commit window: after a confirmation (a confirmed
 * event whose removal is not yet in IndexedDB is sent again if the tab dies
 * now), and for events the page sent while going away.
 */
function afterCoreCall(urgent = false) {
  if (core._tep_storage_generation() > syncedGeneration) scheduleSync(urgent ? 0 : SYNC_DELAY_MS);
  const now = Date.now();
  const wake = core._tep_next_wake(now);
  if (wake < 0) {
    clearTimeout(wakeTimer);
    wakeTimer = 0;
    wakeAt = -1;
    return;
  }
  if (wakeTimer && wakeAt === wake) return;
  clearTimeout(wakeTimer);
  wakeAt = wake;
  wakeTimer = setTimeout(() => {
    wakeTimer = 0;
    wakeAt = -1;
    core._tep_tick(Date.now());
    afterCoreCall();
  }, Math.max(0, wake - now));
}

// --- requests ----------------------------------------------------------------

function askPageForCredentials(subStatus) {
  return new Promise((resolve) => {
    const requestId = nextCredentialsRequestId++;
    const timer = setTimeout(() => {
      credentialWaiters.delete(requestId);
      resolve(credentials);
    }, CREDENTIALS_TIMEOUT_MS);
    credentialWaiters.set(requestId, (fresh) => {
      clearTimeout(timer);
      credentialWaiters.delete(requestId);
      resolve(fresh || credentials);
    });
    self.postMessage({ type: Notice.credentialsRequest, requestId, subStatus: subStatus || undefined });
  });
}

function applyCredentials(fresh) {
  credentials = fresh ? { clientId: fresh.clientId ?? null, token: fresh.token ?? null } : null;
  withCStrings([credentials?.clientId ?? null, credentials?.token ?? null], (clientId, token) =>
    core._tep_set_credentials(clientId, token),
  );
}

async function perform(request) {
  let token = null;
  if (!request.publicOnly) {
    // A keepalive batch goes at once with the credentials last handed over:
    // the page is going away, and an answer from it would come too late.
    if (!request.keepalive) {
      const fresh = await askPageForCredentials(request.subStatus);
      if (fresh !== credentials) applyCredentials(fresh);
    }
    token = credentials?.token || null;
  }
  const url = token ? config.tlConsumerUri : config.tlPublicConsumerUri;
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  let kind = 0;
  let status = 0;
  let body = '';
  let retryAfter = '';
  let date = '';
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: request.body,
      headers,
      signal: abort.signal,
      keepalive: request.keepalive,
      credentials: 'omit',
    });
    status = response.status;
    retryAfter = response.headers.get('Retry-After') || '';
    date = response.headers.get('Date') || '';
    body = await readCappedBody(response);
  } catch (error) {
    kind = abort.signal.aborted ? 2 : 1;
  } finally {
    clearTimeout(timer);
  }
  const deliveredBefore = outageState?.delivery ? stats().delivered : 0;
  withCStrings([body, retryAfter, date], (bodyPointer, retryAfterPointer, datePointer) =>
    core._tep_on_response(
      request.id, kind, status, bodyPointer, core.lengthBytesUTF8(body), retryAfterPointer,
      datePointer, Date.now(),
    ),
  );
  endOutageOfGoneTab(deliveredBefore);
  afterCoreCall(true);
}

/**
 * An outage another tab started ends here too on this tab's next confirmed
 * delivery: that tab may have closed before it could end it. (This tab's
 * own outage is the core's, which ends it itself.)
 */
function endOutageOfGoneTab(deliveredBefore) {
  if (!outageState?.delivery || core._tep_outage()) return;
  if (stats().delivered <= deliveredBefore) return;
  outageState.setDelivery(false);
  tabsOutage?.publish(false);
}

const host = {
  send(request) {
    const done = perform(request)
      .catch((error) => reportProblem(`[tep.worker.send] ${error}`))
      .finally(() => requestsInFlight.delete(request.id));
    requestsInFlight.set(request.id, done);
  },
  publish(outage) {
    // A full queue is this tab's own outage, told to this page only: the
    // collector may be fine, and other tabs' queues may have room.
    if (outage && acceptingEvents) {
      outageState?.setQueueFull(true);
      return;
    }
    outageState?.setQueueFull(false);
    outageState?.setDelivery(outage);
    tabsOutage?.publish(outage);
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
 * it with IDBFS, lets the core copy its events and counters, and once they
 * are durable here deletes the gone tab's database. Files the core could not
 * read (a later release's) are first copied into a database of their own
 * (keptAsidePath), so deleting the store never deletes them. Leaving them in
 * the store instead would keep it matching the scan: every scan would adopt
 * it again and merge its counters again. Resolves to how many events.
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
    // The gone tab's store goes only once its events are durable here: during
    // a storage outage it stays, and a later scan adopts it again (its events
    // are skipped by id).
    if (!(await durable(true))) throw new Error('the adopted events are not durable yet');
    if (report.keptFiles.length) {
      await storedFolders.keepAside(path, report.keptFiles, keptAsidePath(path));
      keptAsideFiles += report.keptFiles.length;
    }
  } catch (failure) {
    await storedFolders.drop(path, false);
    throw failure;
  }
  await storedFolders.drop(path, true);
  return report.taken;
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
    locks.request(name, () => {
      answer(true);
      return new Promise(() => {}); // released only when the worker ends
    }).catch(() => answer(false));
  });
}

// performance.now() in a worker counts from the worker's creation: this is
// how long fetching and evaluating its script took.
const scriptEvaluatedAt = performance.now();
const elapsed = () => Math.round(performance.now() * 10) / 10;

let preparing = null; // the start-up work that needs no config, begun by 'prepare' or 'init'

/**
 * What init needs before the config: the wasm compiled, the tab's store
 * claimed and its files read from IndexedDB, all at once. The page asks for
 * it the moment it creates the worker, so it overlaps with the page's wait
 * for the credentials provider. Resolves to `{ core, storageError, timings }`,
 * the timings in ms since the worker was created.
 */
function prepare({ wasmUrl, storeId: preferredStoreId }) {
  preparing ??= (async () => {
    const timings = { scriptEvaluated: Math.round(scriptEvaluatedAt * 10) / 10, prepareReceived: elapsed() };
    // A core that aborted (out of memory, a trap) can't be called again: the
    // worker ends, and the page starts a new one on the same store.
    const options = { host, onAbort: () => self.close() };
    if (wasmUrl) options.locateFile = (file) => (file.endsWith('.wasm') ? wasmUrl : file);
    const compiling = createCore(options).then((compiled) => ((timings.wasmReady = elapsed()), compiled));
    // The module's JS (and so IDBFS) is there at once; only the wasm is still
    // compiling: the store is claimed and its files are read meanwhile.
    storedFolders = options.storedFolders;
    // The folder's database was closed or deleted under the worker: store it
    // whole again now, not only at the next change.
    storedFolders.onLost = (path) => {
      if (path === storePath && persistent) scheduleSync(0);
    };
    const claimed = await claimStore(preferredStoreId);
    timings.storeClaimed = elapsed();
    storeId = claimed.id;
    storePath = claimed.path;
    const reading = storedFolders.load(storePath).then((error) => ((timings.storeRead = elapsed()), error));
    const [compiled, storageError] = await Promise.all([compiling, reading]);
    return { core: compiled, storageError, timings };
  })();
  return preparing;
}

async function init({ config: given, credentials: initialCredentials, wasmUrl, storeId: preferredStoreId, aliveLock }) {
  if (core) return { alreadyStarted: true, storeId };
  config = given;
  const prepared = await prepare({ wasmUrl, storeId: preferredStoreId });
  if (core) return { alreadyStarted: true, storeId };
  const { storageError, timings } = prepared;
  timings.initReceived = initReceivedAt;
  core = prepared.core;
  ({ withCString, withCStrings } = createCoreStrings(core));
  persistent = !storageError;
  if (storageError) {
    // Keep working in memory; init reports it, the page hears it on the bus.
    lastStorageError = String(storageError.message || storageError);
  }

  const created = withCStrings([JSON.stringify(config.core), storePath], (c, folder) =>
    core._tep_create(c, folder),
  );
  if (created !== 0) throw Object.assign(new Error('the core refused the config'), { code: 'config' });
  applyCredentials(initialCredentials);
  const summary = JSON.parse(core.UTF8ToString(core._tep_restore(Date.now())));
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
  // is synced in the background rather than delaying init.
  afterCoreCall();
  outageState = createOutageState((change) => self.postMessage({ type: Notice.bus, ...change }), {
    delivery: summary.outage,
    storage: !!storageError,
  });
  tabsOutage = outageChannel(storePath, (outage) => outageState.setDelivery(outage));
  if (persistent) {
    orphanWatcher = watchForOrphans({
      ownPath: storePath,
      adopt: adoptStore,
      onError: (error) => reportProblem(`[tep.tabs.adoption] ${error.message || error}`),
    });
    orphanWatcher.scan();
  }
  // Without it (no Web Locks in this worker), the page pings instead.
  const aliveLockHeld = await holdAliveLock(aliveLock);
  timings.replied = elapsed();
  const shared = { storeId, coordination: coordination(), aliveLockHeld };
  if (storageError) {
    return { ...summary, ...shared, persistent: false, storageError: lastStorageError };
  }
  return { ...summary, ...shared, persistent: true };
}

// What the page refused an event for, in the order tep_count_refused_on_page numbers them.
const REFUSAL_REASONS = ['validation', 'storing', 'consent'];

function acceptEvents({ seq, events = [], unserialisable = [], credentials: current, urgent = false }) {
  // The page's credentials at the time these events were sent (log-in, log-out).
  if (current !== undefined) applyCredentials(current);
  const now = Date.now();
  // The core raises an outage here only when this tab's queue can't take an
  // event (maxDiskUsageBytes reached, the write refused): see host.publish.
  acceptingEvents = true;
  try {
    for (const json of events) {
      try {
        withCString(json, (pointer, length) => core._tep_send_event(pointer, length, now));
      } catch (error) {
        if (error.code !== 'out_of_memory') throw error;
        countRefused({ name: '', problem: error.message, reason: 'storing' });
      }
    }
  } finally {
    acceptingEvents = false;
  }
  for (const refused of unserialisable) countRefused(refused);
  afterCoreCall(urgent); // urgent: the page is going away, store them now
  // The page keeps these events until they are stored, to hand them to the
  // next worker if this one dies first.
  if (seq !== undefined) durable(urgent).then(() => self.postMessage({ type: Notice.accepted, seq }));
}

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
  result.durable = core._tep_storage_generation() <= syncedGeneration;
  result.initTimings = initTimings;
  result.rejectedMessages = rejectedMessages + (tabsOutage?.rejected() ?? 0) + (orphanWatcher?.rejected() ?? 0);
  return result;
}

/**
 * Sends everything queued now, batch after batch, and resolves once it is
 * durable and every batch was attempted; stops early when an attempt fails
 * (the backoff then takes over), so a dead collector can't make it spin.
 */
async function flush() {
  const startedAt = performance.now();
  let delivered = stats().delivered;
  for (;;) {
    core._tep_flush(Date.now());
    afterCoreCall();
    const started = requestsInFlight.size;
    await Promise.all([durable(true), ...requestsInFlight.values()]);
    const now = stats();
    const progressed = now.delivered > delivered;
    delivered = now.delivered;
    if (!started || !progressed || now.queued === 0) return now;
    // A deep queue against a slow collector: answer before the page gives up
    // waiting; the scheduler sends the rest.
    if (performance.now() - startedAt > FLUSH_BUDGET_MS) return now;
  }
}

// The browser allows 64 KiB of keepalive bodies in flight per page; leave
// room for the headers and another library's beacon.
const KEEPALIVE_BUDGET_BYTES = 60000;

async function pageHidden() {
  const made = durable(true);
  core._tep_send_keepalive(KEEPALIVE_BUDGET_BYTES, Date.now());
  afterCoreCall();
  await made;
  return stats();
}

const handlers = {
  [Action.prepare]: (message) => {
    prepare(message).catch(() => {}); // init reports a failure
  },
  [Action.init]: (message) => {
    initReceivedAt = elapsed();
    return init(message);
  },
  [Action.events]: acceptEvents,
  [Action.flush]: flush,
  [Action.consent]: ({ blocked, purge }) => {
    core._tep_set_consent(blocked.PERFORMANCE ? 1 : 0, blocked.TARGETING ? 1 : 0, purge ? 1 : 0);
    afterCoreCall();
  },
  [Action.credentials]: ({ requestId, credentials: fresh }) => {
    credentialWaiters.get(requestId)?.(fresh || null);
  },
  [Action.stats]: stats,
  [Action.pageHidden]: pageHidden,
  [Action.online]: ({ online }) => {
    core._tep_set_online(online ? 1 : 0, Date.now());
    afterCoreCall();
  },
  [Action.ping]: () => true,
  [Action.shutdown]: async () => {
    orphanWatcher?.stop();
    await durable(true);
    clearTimeout(wakeTimer);
    setTimeout(() => self.close(), 0);
  },
};

const needsCore = (action) => action !== Action.init && action !== Action.prepare;
let initReceivedAt = 0;

// Requests of another shape than web/protocol.js defines, ignored.
let rejectedMessages = 0;

self.onmessage = async ({ data }) => {
  const problem = requestProblem(data);
  const id = problem === null || (data && Number.isSafeInteger(data.id)) ? data.id : undefined;
  const action = data?.action;
  try {
    if (problem !== null) {
      rejectedMessages++;
      const code = problem.startsWith('unknown action') ? 'unknown_action' : 'bad_message';
      throw Object.assign(new Error(problem), { code });
    }
    const handler = handlers[action];
    if (needsCore(action) && !core) throw Object.assign(new Error('init has not run'), { code: 'not_initialised' });
    const result = await handler(data);
    if (id !== undefined) self.postMessage({ type: Notice.reply, id, result });
  } catch (error) {
    if (id !== undefined) {
      self.postMessage({
        type: Notice.reply,
        id,
        error: { code: error.code || 'worker', message: String(error.message || error) },
      });
    } else {
      reportProblem(`[tep.worker.${error.code || 'error'}] ${error.message || error}`);
    }
  }
};
