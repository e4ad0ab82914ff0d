// The Web Worker that runs the producer: it loads the wasm core, mounts its
// queue's folder with IDBFS and stores the files the core changed in
// IndexedDB (group commit), drives the core's timers, performs its requests
// with fetch and relays the outage bus to the page.
//
// This file composes the modules that do it, each of one concern and tested
// alone, and maps the page's messages to them; it holds no state of its own.
// The core is called through worker/core-api.js only, and exists once init
// created it (worker/start-up.js): every module asks for it with core().
import createCore from './core.mjs';
import { Action, Notice } from '../web/protocol.js';
import { createAdoption } from './adoption.js';
import { createCoreLoader } from './core-loader.js';
import { createFlush } from './flush.js';
import { createGroupCommit } from './group-commit.js';
import { createLeavingBatch } from './leaving-batch.js';
import { createMessageLoop } from './message-loop.js';
import { createOutage } from './outage.js';
import { createOutcomeReport } from './outcome-report.js';
import { createPageCredentials } from './page-credentials.js';
import { createPageEvents } from './page-events.js';
import { createRequests } from './requests.js';
import { createSender } from './sender.js';
import { createStartUp } from './start-up.js';
import { coordination } from './store-names.js';
import { createStoreStatus } from './store-status.js';
import { createWakeTimer } from './wake-timer.js';

// The browser allows 64 KiB of keepalive bodies in flight per page; leave
// room for the headers and another library's beacon.
const KEEPALIVE_BUDGET_BYTES = 60000;

/** @param {import('../web/protocol.js').WorkerNotice} notice */
const post = (notice) => self.postMessage(notice);
const reportProblem = (/** @type {string} */ message) => post({ type: Notice.problem, message });

const storeStatus = createStoreStatus();
const pageCredentials = createPageCredentials({
  post,
  tell: (clientId, token) => core().setCredentials(clientId, token),
});

const coreLoader = createCoreLoader({
  createCore,
  host: {
    send: (request) => requests.send(request),
    publish: (inOutage, reason) => outage.fromCore(inOutage, reason),
    problem: reportProblem,
  },
  close: () => self.close(),
});
const startUp = createStartUp({
  coreLoader,
  credentials: pageCredentials,
  storeStatus,
  onStoreLost: () => {
    if (storeStatus.persistent()) groupCommit.schedule(0);
  },
  onRestored: startRunning,
  reportProblem,
  close: () => self.close(),
});
const core = () => startUp.core();
const ownPath = () => startUp.store()?.path ?? '';

const groupCommit = createGroupCommit({
  core: {
    generation: () => core().storageGeneration(),
    takeChangedFiles: () => core().takeChangedFiles(),
    persistState: () => core().persistState(),
  },
  // Where the database lost its files (site data cleared under the tab),
  // this stores the whole folder again.
  store: (names) => startUp.storedFolders().store(ownPath(), names),
  persistent: storeStatus.persistent,
  onResult: (error) => {
    storeStatus.written(error);
    outage.storage(!!error);
  },
});

const wakeTimer = createWakeTimer({
  nextWake: (now) => core().nextWake(now),
  onWake: (now) => {
    core().tick(now);
    afterCoreCall();
  },
});

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

const outage = createOutage({
  post: (change) => post({ type: Notice.bus, ...change }),
  core,
  online: () => self.navigator?.onLine !== false,
  afterCoreCall,
});

const reportOutcome = createOutcomeReport({ core });
const sender = createSender({ endpoint: (request) => pageCredentials.endpointFor(request) });
const requests = createRequests({
  send: sender.send,
  core,
  tellOutcome: (request, outcome) => outage.acrossOutcome(() => reportOutcome(request, outcome)),
  afterCoreCall,
  reportProblem,
});

const leavingBatch = createLeavingBatch({
  body: () => core().leavingBatch(KEEPALIVE_BUDGET_BYTES),
  endpoint: pageCredentials.endpoint,
  post,
  applyOutcome: requests.applyOutcome,
  consentSeq: () => core().consentSeq(),
  claim: (ids) => core().claimLeavingBatch(ids),
  sendOwn: () => core().sendKeepalive(KEEPALIVE_BUDGET_BYTES, Date.now()),
  track: requests.track,
});

const adoption = createAdoption({
  core,
  storedFolders: () => startUp.storedFolders(),
  afterCoreCall,
  stored: () => groupCommit.stored(true),
  reportProblem,
});

const acceptEvents = createPageEvents({
  core,
  credentials: pageCredentials,
  afterCoreCall,
  stored: (urgent) => groupCommit.stored(urgent),
  post,
});

/**
 * The stored queue is restored (worker/start-up.js): the core hears whether
 * the browser is online, what the restore changed is stored, the page hears
 * the outage state, and the adoption of gone tabs' stores starts (with
 * IndexedDB only: without it there is nothing to adopt into).
 * @param {{ core: import('./core-api.js').CoreApi, summary: import('./core.mjs').RestoreSummary, storageError: unknown, path: string }} restored
 */
function startRunning({ core: restoredCore, summary, storageError, path }) {
  restoredCore.setOnline(self.navigator?.onLine !== false, Date.now());
  self.addEventListener('online', () => {
    restoredCore.setOnline(true, Date.now());
    afterCoreCall();
  });
  self.addEventListener('offline', () => {
    restoredCore.setOnline(false, Date.now());
    afterCoreCall();
  });
  // What was restored is in IndexedDB already; compaction done by the restore
  // is synced in the background.
  afterCoreCall();
  outage.start(path, { delivery: summary.outage, storage: !!storageError });
  if (storeStatus.persistent()) adoption.watch(path);
}

/** getStats(): the core's stats and the worker's. */
function stats() {
  return {
    ...core().stats(),
    persistent: storeStatus.persistent(),
    // Stats are answered once the queue is restored, so in a claimed store.
    storeId: startUp.store()?.id ?? '',
    coordination: coordination(),
    adoptedEvents: adoption.adoptedEvents(),
    keptAsideFiles: adoption.keptAsideFiles(),
    storageError: storeStatus.lastError(),
    durable: groupCommit.isDurable(),
    initTimings: startUp.timings(),
    rejectedMessages: messageLoop.rejected() + outage.rejected() + adoption.rejected(),
  };
}

/**
 * Sends everything queued now, batch after batch, and resolves once it is
 * durable and every batch was attempted; stops early when an attempt fails
 * (the backoff then takes over), so a dead collector can't make it spin.
 */
const flush = createFlush({
  sendNow: () => {
    core().flush(Date.now());
    afterCoreCall();
  },
  inFlight: requests.inFlight,
  // Without IndexedDB there is no write to fail: flush goes on sending.
  durable: () => (storeStatus.persistent() ? groupCommit.durable(true) : Promise.resolve(true)),
  stats,
});

/** @typedef {import('../web/protocol.js').Request} Request */
/** @type {import('../web/protocol.js').Handlers} */
const handlers = {
  [Action.prepare]: (message) => {
    const { compiled, opened, read } = startUp.prepare(message);
    // init reports a failure
    for (const step of [compiled, opened, read]) step.catch(() => {});
  },
  [Action.wasm]: ({ module }) => coreLoader.receivePageWasm(module),
  [Action.init]: (message) => startUp.init(message),
  [Action.events]: acceptEvents,
  [Action.flush]: flush,
  [Action.consent]: ({ consent }) => {
    core().setConsent(consent);
    afterCoreCall();
  },
  [Action.credentials]: ({ requestId, credentials }) => pageCredentials.answer(requestId, credentials),
  [Action.stats]: stats,
  // The page is hidden or unloading: everything is made durable now, and one
  // keepalive batch goes (worker/leaving-batch.js).
  [Action.pageHidden]: async ({ leaving }) => {
    const made = groupCommit.durable(true);
    leavingBatch.leave(leaving);
    afterCoreCall();
    await made;
    return stats();
  },
  [Action.online]: ({ online }) => {
    core().setOnline(online, Date.now());
    afterCoreCall();
  },
  [Action.ping]: () => true,
  // The service worker's one errand (worker/service-worker.js): the stores
  // no live tab holds, adopted, then everything sent that can be.
  [Action.deliverStored]: async () => {
    await adoption.scan();
    return flush();
  },
  [Action.leavingAnswer]: ({ version, kind, status, body, retryAfter, date }) =>
    leavingBatch.pageAnswered(version, { kind, status, body, retryAfter, date }),
  [Action.shutdown]: async () => {
    adoption.stop();
    await groupCommit.durable(true);
    wakeTimer.clear();
    setTimeout(() => self.close(), 0);
  },
};

const messageLoop = createMessageLoop({
  handlers,
  ready: startUp.ready,
  starting: startUp.starting,
  needsReady: (action) => action !== Action.init && action !== Action.prepare && action !== Action.wasm,
  post,
  reportProblem,
});
self.onmessage = ({ data }) => messageLoop.receive(data);
