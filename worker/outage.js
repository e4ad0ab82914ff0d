// The worker's outage: its state and reason (worker/outage-state.js, the one
// owner of both), told to the page, and the delivery outage shared with the
// origin's other tabs (worker/outage-channel.js). Nothing is told before the
// stored queue is restored: the restore says which outage it is in, and the
// page then hears the state once, whatever it was.
import { createOutageState } from './outage-state.js';
import { outageChannel } from './outage-channel.js';

/**
 * `post(change)`: tells the page ({ outage, reason }). `core()`: the core,
 * asked whether it is in its own delivery outage, how many events it
 * delivered, and to retry early. `online()`: whether the browser says it is.
 * `afterCoreCall()`: after the core was called. `join(ownPath, handlers)`:
 * joins the tabs' outage channel.
 * @param {{
 *   post: (change: { outage: boolean, reason?: import('../web/protocol.js').OutageReason }) => void,
 *   core: () => Pick<import('./core-api.js').CoreApi, 'inOutage' | 'stats' | 'retryEarly'>,
 *   online: () => boolean,
 *   afterCoreCall: () => void,
 *   join?: typeof outageChannel,
 *   clock?: () => number,
 * }} dependencies
 */
export function createOutage({ post, core, online, afterCoreCall, join = outageChannel, clock = Date.now }) {
  /** @type {ReturnType<typeof createOutageState> | null} */
  let state = null;
  /** @type {ReturnType<typeof outageChannel> | null} */
  let tabs = null;

  return {
    /**
     * Starts with the restored queue's state (`delivery`: its delivery
     * outage; `storage`: its store failed to load), tells the page, and joins
     * the other tabs as the tab of the store at `ownPath`.
     * @param {string} ownPath
     * @param {{ delivery: boolean, storage: boolean }} initial
     */
    start(ownPath, initial) {
      const started = createOutageState(post, initial);
      state = started;
      // The page doesn't know yet: the restored queue may be in an outage, and a
      // page whose worker was replaced is in one until this says otherwise.
      started.tell();
      tabs = join(ownPath, {
        // Another tab's word is advice: its end ends only an outage heard from
        // another tab, never this tab's own (the core's, which only a confirmed
        // delivery ends), and it triggers at most one early retry per backoff
        // step, so repeated (or forged) news can't make every tab retry at once.
        onRemoteChange(outage) {
          started.setOtherTab(outage);
          // The collector may be back: retry now rather than at the end of this
          // tab's backoff. It starts in this very task: a background tab's
          // timers may be throttled.
          if (!outage && online()) {
            core().retryEarly(clock());
            afterCoreCall();
          }
        },
        inOutage: () => started.delivery,
      });
    },

    /**
     * The core's outage of `reason` started or ended. Only the delivery
     * outage is the origin's: a full queue or a refused write is this tab's
     * own, told to this page only (the collector may be fine, and other
     * tabs' queues may have room).
     * @param {boolean} outage
     * @param {import('../web/protocol.js').OutageReason} reason
     */
    fromCore(outage, reason) {
      state?.setFromCore(reason, outage);
      if (reason === 'delivery') tabs?.publish(outage);
    },

    /** This tab's IndexedDB writes fail, or succeed again. @param {boolean} failing */
    storage(failing) {
      state?.setStorage(failing);
    },

    /**
     * Runs `tellCore` (which tells the core what became of a request). An
     * outage another tab started ends here too if that delivered events:
     * that tab may have closed before it could end it. (This tab's own
     * outage is the core's, which ends it itself.)
     * @param {() => void} tellCore
     */
    acrossOutcome(tellCore) {
      const deliveredBefore = state?.delivery ? core().stats().delivered : 0;
      tellCore();
      if (!state?.otherTab || core().inOutage()) return;
      if (core().stats().delivered <= deliveredBefore) return;
      state.setOtherTab(false);
      tabs?.publish(false);
    },

    /** Messages of another shape on the tabs' channel, ignored. */
    rejected: () => tabs?.rejected() ?? 0,
  };
}
