// Adopting the stores of gone tabs into this tab's queue: the orphan watch
// (worker/orphan-watch.js) finds them, and this moves each one's events in.
import { RETRY_AFTER_FAILURE_MS } from './group-commit.js';
import { watchForOrphans } from './orphan-watch.js';
import { keptAsidePath } from './store-names.js';
import { registerKeptAside } from './store-registry.js';
import { ERROR_IDS } from '../web/error-ids.js';

/**
 * `core()`: the core, which moves the events. `storedFolders()`: the
 * module's IDBFS folders (worker/stored-folders.post.js). `afterCoreCall()`:
 * after the core was called. `stored()`: resolves once everything the core
 * changed is in IndexedDB, however long a storage outage lasts.
 * `reportProblem`: to the page. `watch`: worker/orphan-watch.js's.
 * @param {{
 *   core: () => Pick<import('./core-api.js').CoreApi, 'adopt'>,
 *   storedFolders: () => import('./core.mjs').StoredFolders,
 *   afterCoreCall: () => void,
 *   stored: () => Promise<unknown>,
 *   reportProblem: (message: string) => void,
 *   registerKept?: (path: string) => Promise<void>,
 *   watch?: typeof watchForOrphans,
 *   clock?: () => number,
 *   timers?: { setTimeout: typeof setTimeout },
 * }} dependencies
 */
export function createAdoption({
  core,
  storedFolders,
  afterCoreCall,
  stored,
  reportProblem,
  registerKept = registerKeptAside,
  watch = watchForOrphans,
  clock = Date.now,
  timers = globalThis,
}) {
  let adoptedEvents = 0;
  let keptAsideFiles = 0; // files of adopted stores this release could not read, kept in their own database
  /** @type {ReturnType<typeof watchForOrphans> | null} */
  let watcher = null;

  /** Stores the named files of the folder at `path`, trying again while IndexedDB refuses. @param {string} path @param {string[]} names */
  async function storeUntilStored(path, names) {
    for (;;) {
      try {
        await storedFolders().store(path, names);
        return;
      } catch {
        await new Promise((resolve) => timers.setTimeout(resolve, RETRY_AFTER_FAILURE_MS));
      }
    }
  }

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
   * @param {string} path
   * @returns {Promise<{ taken: number, deleted: boolean }>}
   */
  async function adopt(path) {
    const folders = storedFolders();
    const error = await folders.load(path);
    if (error) {
      await folders.drop(path, false);
      throw error;
    }
    let taken = 0;
    try {
      const report = core().adopt(path, clock());
      taken = report.taken;
      adoptedEvents += report.taken;
      afterCoreCall();
      await stored();
      if (report.remaining > 0 || report.keptFiles.length) {
        // Kept, for now or for good: it must no longer hold what was taken.
        await storeUntilStored(path, report.changedFiles);
      }
      if (report.remaining > 0) {
        await folders.drop(path, false);
        return { taken, deleted: false };
      }
      if (report.keptFiles.length) {
        await folders.keepAside(path, report.keptFiles, keptAsidePath(path));
        await registerKept(keptAsidePath(path)).catch(() => {}); // unlisted, it is only never removed
        keptAsideFiles += report.keptFiles.length;
      }
    } catch (failure) {
      await folders.drop(path, false);
      throw failure;
    }
    await folders.drop(path, true);
    return { taken, deleted: true };
  }

  return {
    adopt,

    /** Starts watching for gone tabs' stores; the first scan comes once init has answered. @param {string} ownPath */
    watch(ownPath) {
      const started = watch({
        ownPath,
        adopt,
        onError: (error) =>
          reportProblem(`[${ERROR_IDS.tabsAdoption}] ${error instanceof Error ? error.message : error}`),
      });
      watcher = started;
      timers.setTimeout(() => started.scan(), 0);
    },

    /** One scan now (none while not watching: without IndexedDB there is nothing to adopt into). */
    scan: () => watcher?.scan(),
    stop: () => watcher?.stop(),

    /** Events taken from adopted stores so far. */
    adoptedEvents: () => adoptedEvents,
    /** Files of adopted stores kept aside so far. */
    keptAsideFiles: () => keptAsideFiles,
    /** Messages of another shape on the tabs' channel, ignored. */
    rejected: () => watcher?.rejected() ?? 0,
  };
}
