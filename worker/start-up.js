// The worker's start: the wasm compiled (worker/core-loader.js), the tab's
// store claimed and its files read from IndexedDB, all at once;
// init answers as soon as the page may send, and the core is created and
// the stored queue restored right after. The timings of each step are kept
// for getStats().
import { createCoreApi } from './core-api.js';
import { createCoreLoader } from './core-loader.js';
import { claimStore, newStoreId } from './store-claim.js';
import { coordination, storePathOf } from './store-names.js';
import { ERROR_IDS } from '../web/error-ids.js';

/** @typedef {import('./core.mjs').CoreModule} CoreModule */
/** @typedef {import('./core.mjs').StoredFolders} StoredFolders */
/** @typedef {import('./core-api.js').CoreApi} CoreApi */
/** @typedef {import('./store-claim.js').StoreClaim} StoreClaim */
/** @typedef {{ timeOrigin: number } & Record<string, number>} Timings ms since the worker's thread started (its timeOrigin), by step */
/**
 * @typedef {{
 *   compiled: Promise<CoreModule>, wasmWillRun: Promise<unknown>, claimed: Promise<StoreClaim>,
 *   opened: Promise<unknown>, read: Promise<unknown>, timings: Timings,
 * }} Prepared
 */

/**
 * `coreLoader`: worker/core-loader.js's. `credentials`: worker/page-credentials.js, given init's
 * credentials and endpoints. `storeStatus`: worker/store-status.js.
 * `onStoreLost()`: the store's database was closed or deleted under the
 * running worker. `onRestored(...)`: the queue is restored; what runs from
 * then on starts. `close()`: ends the worker.
 * @param {{
 *   coreLoader: ReturnType<typeof createCoreLoader>,
 *   credentials: Pick<import('./page-credentials.js').PageCredentials, 'set' | 'useEndpoints'>,
 *   storeStatus: Pick<import('./store-status.js').StoreStatus, 'started' | 'persistent' | 'lastError'>,
 *   onStoreLost: () => void,
 *   onRestored: (restored: { core: CoreApi, summary: import('./core.mjs').RestoreSummary, storageError: unknown, path: string }) => void,
 *   reportProblem: (message: string) => void,
 *   close: () => void,
 *   claim?: typeof claimStore,
 *   freshStoreId?: () => string,
 *   locks?: LockManager,
 *   clock?: { now: () => number, timeOrigin: number },
 *   timers?: { setTimeout: (run: () => void, ms: number) => unknown },
 * }} dependencies
 */
export function createStartUp({
  coreLoader,
  credentials,
  storeStatus,
  onStoreLost,
  onRestored,
  reportProblem,
  close,
  claim = claimStore,
  freshStoreId = newStoreId,
  locks = globalThis.navigator?.locks,
  clock = performance,
  timers = globalThis,
}) {
  // performance.now() in a worker counts from the start of its thread
  // (performance.timeOrigin): this is how long fetching and evaluating its
  // script took.
  const scriptEvaluatedAt = clock.now();
  const elapsed = () => Math.round(clock.now() * 10) / 10;

  /** @type {CoreApi | null} */
  let core = null;
  /** @type {StoreClaim | null} */
  let store = null;
  /** @type {StoredFolders | null} */
  let storedFolders = null;
  // Messages other than init wait until the core is created and the stored
  // queue restored, which both happen right after init answered.
  let restored = false;
  /** @type {Promise<void> | null} createAndRestore's promise, from init's answer on */
  let restoring = null;
  /** @type {Prepared | null} the start-up work that needs no config, begun by 'prepare' or 'init' */
  let preparing = null;
  let initStarted = false;
  /** @type {Timings | null} */
  let initTimings = null;

  /**
   * Loads the stored folder at `path`: `opened` resolves once its database is
   * open, `read` once its files are in memory; each to null or to the error.
   * @param {StoredFolders} folders @param {string} path
   */
  function load(folders, path) {
    /** @type {(error: unknown) => void} */
    let onOpened = () => {};
    /** @type {Promise<unknown>} */
    const opened = new Promise((resolve) => (onOpened = resolve));
    const read = folders.load(path, onOpened);
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
   * @param {Pick<import('../web/protocol.js').PrepareRequest, 'wasmUrl' | 'storeId' | 'wasmFromPage'>} request
   * @returns {Prepared}
   */
  function prepare({ wasmUrl, storeId: preferredStoreId, wasmFromPage = false }) {
    if (preparing) return preparing;
    /** @type {Timings} */
    const timings = {
      timeOrigin: clock.timeOrigin,
      scriptEvaluated: Math.round(scriptEvaluatedAt * 10) / 10,
      prepareReceived: elapsed(),
    };
    // The store is claimed first: the lock is the browser's to grant, and it
    // does so while this thread evaluates the module's glue below (4-6 ms).
    // After a reload the claim is the tab's own store, almost always free
    // (reading it meanwhile takes nothing from its owner if not); in a new tab
    // the new store, whose random name no one else holds.
    const freshId = freshStoreId();
    const claimed = claim(preferredStoreId, freshId).then((claim) => {
      timings.storeClaimed = elapsed();
      store = claim;
      return claim;
    });
    const loaded = coreLoader.load({ wasmUrl, wasmFromPage });
    const compiled = loaded.module.then((module) => ((timings.wasmReady = elapsed()), module));
    const wasmWillRun = loaded.willRun;
    // The module's JS (and so IDBFS) is there at once; only the wasm is still
    // compiling: the store's files are read meanwhile.
    const folders = loaded.storedFolders;
    storedFolders = folders;
    // The folder's database was closed or deleted under the worker: store it
    // whole again now, not only at the next change.
    folders.onLost = (path) => {
      if (restored && path === store?.path) onStoreLost();
    };
    const guess = storePathOf(preferredStoreId || freshId);
    const loadingGuess = load(folders, guess);
    const loading = claimed.then((claim) => {
      if (claim.path === guess) return loadingGuess;
      loadingGuess.read.then(() => folders.drop(guess, false));
      return load(folders, claim.path);
    });
    const opened = loading.then(({ opened }) => opened).then((error) => ((timings.storeOpened = elapsed()), error));
    const read = loading.then(({ read }) => read).then((error) => ((timings.storeRead = elapsed()), error));
    preparing = { compiled, wasmWillRun, claimed, opened, read, timings };
    return preparing;
  }

  /**
   * Holds `name` for the worker's lifetime: the page waits for the same lock,
   * which it gets the moment this worker ends (crash, out of memory, killed
   * by the browser), and then starts another on the same store.
   * @param {string | undefined} name
   * @returns {Promise<boolean>}
   */
  function holdAliveLock(name) {
    if (!name || !locks) return Promise.resolve(false);
    const held = locks;
    return new Promise((answer) => {
      held
        .request(name, () => {
          answer(true);
          return new Promise(() => {}); // released only when the worker ends
        })
        .catch(() => answer(false));
    });
  }

  /**
   * Creates the core with init's config and the site's consent once the wasm
   * runs, then restores the stored queue into it: the stored queue is read
   * into the core, and what runs from then on starts.
   * @param {Prepared} prepared
   * @param {import('../web/protocol.js').RequestOf<'init'>} request
   */
  async function createAndRestore(prepared, { config, credentials: initialCredentials, consent }) {
    const created = createCoreApi(await prepared.compiled);
    core = created;
    const { path } = await prepared.claimed;
    if (!created.create(JSON.stringify(config.core), path)) {
      throw Object.assign(new Error('the core refused the config'), { code: 'config' });
    }
    credentials.set(initialCredentials);
    // Before the restore, which removes what the site's consent purged.
    created.setConsent(consent);
    prepared.timings.coreCreated = elapsed();
    const storageError = await prepared.read;
    // Without the store's files the queue works in memory; the page hears it on the bus.
    storeStatus.started(storageError);
    const summary = created.restore(Date.now());
    restored = true;
    prepared.timings.restored = elapsed();
    initTimings = prepared.timings;
    onRestored({ core: created, summary, storageError, path });
  }

  /**
   * init: answers once the store is claimed, its database is open and the
   * wasm is sure to run; the page may send from then on. The config needs no
   * core to be judged (the page checked it, the core takes any JSON object,
   * with its defaults), so the core is created after the answer, and every
   * message but init waits in the message loop until it is and the queue is
   * restored (flush and getStats see every restored event).
   * @param {import('../web/protocol.js').RequestOf<'init'>} request
   */
  async function init(request) {
    const initReceivedAt = elapsed();
    if (initStarted) {
      await preparing?.claimed.catch(() => {});
      return { alreadyStarted: /** @type {const} */ (true), storeId: store?.id ?? null };
    }
    initStarted = true;
    credentials.useEndpoints(request.config);
    // The Web Lock the page waits on is taken meanwhile (without it, no Web
    // Locks in this worker, the page pings instead).
    const holdingAliveLock = holdAliveLock(request.aliveLock);
    const prepared = prepare({ wasmUrl: request.wasmUrl, storeId: request.storeId });
    const { timings } = prepared;
    timings.initReceived = initReceivedAt;
    const [claim, openError] = await Promise.all([prepared.claimed, prepared.opened, prepared.wasmWillRun]);
    storeStatus.started(openError);
    const aliveLockHeld = await holdingAliveLock;
    // A task later, so that the answer is posted first. Where IndexedDB can't
    // be opened, init answers after the restore instead, and says so.
    const answerFirst = openError
      ? Promise.resolve()
      : new Promise((resolve) => timers.setTimeout(() => resolve(undefined), 0));
    const starting = answerFirst.then(() => createAndRestore(prepared, request));
    restoring = starting;
    if (openError) await starting;
    else {
      // A start that fails after init answered leaves a worker that can't
      // serve: it ends, as after an abort, and the page starts a new one.
      starting.catch((error) => {
        reportProblem(`[${ERROR_IDS.workerRestore}] ${error instanceof Error ? error.message : error}`);
        close();
      });
    }
    timings.replied = elapsed();
    const shared = { storeId: claim.id, coordination: coordination(), aliveLockHeld };
    return storeStatus.persistent()
      ? { ...shared, persistent: true }
      : { ...shared, persistent: false, storageError: storeStatus.lastError() };
  }

  return {
    prepare,
    init,
    /** True once the stored queue is restored: every message may be handled. */
    ready: () => restored,
    /** While init has answered but the restore is not done, its promise. */
    starting: () => restoring,
    /** The core; only once init has created it. */
    core() {
      if (!core) throw Object.assign(new Error('init has not run'), { code: 'not_initialised' });
      return core;
    },
    /** The claimed store ({ id, path }), or null before the claim. */
    store: () => store,
    /** The module's IDBFS folders (worker/stored-folders.post.js); only once prepare ran. */
    storedFolders() {
      if (!storedFolders) throw Object.assign(new Error('init has not run'), { code: 'not_initialised' });
      return storedFolders;
    },
    /** Milliseconds from the worker's start to each step of init, once the queue is restored. */
    timings: () => initTimings,
  };
}
