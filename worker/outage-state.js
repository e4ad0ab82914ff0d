// The outage the page hears about, and its reason:
// - 'delivery': events can't be delivered. This tab's own delivery outage
//   is the core's verdict; another tab's is heard on the tabs' channel and
//   is only advice: another tab's end of it ends that one, never this tab's.
// - 'queue_full': this tab's queue reached maxDiskUsageBytes (the core).
// - 'storage': this tab's writes fail (IndexedDB: a full quota, storage
//   blocked; or the core's store refused to write an event).
// The page is told whenever the outage starts, ends or changes its reason.
// Where several hold, the one a reload would survive least is told:
// 'storage', then 'queue_full', then 'delivery'.

/** @typedef {import('../web/protocol.js').OutageReason} OutageReason */

/**
 * `post({ outage, reason })` is called on every change; `delivery` (the
 * restored delivery outage) and `storage` are the states at init.
 * @param {(change: { outage: boolean, reason?: OutageReason }) => void} post
 * @param {{ delivery?: boolean, storage?: boolean }} [initial]
 */
export function createOutageState(post, { delivery = false, storage = false } = {}) {
  const state = { delivery, otherTab: false, queueFull: false, storeRefused: false, storage };
  /** @returns {OutageReason | 'none'} */
  const describe = () =>
    state.storage || state.storeRefused
      ? 'storage'
      : state.queueFull
        ? 'queue_full'
        : state.delivery || state.otherTab
          ? 'delivery'
          : 'none';
  const notice = (/** @type {OutageReason | 'none'} */ now) => ({
    outage: now !== 'none',
    reason: now === 'none' ? undefined : now,
  });
  let told = describe();
  function announce() {
    const now = describe();
    if (now === told) return;
    told = now;
    post(notice(now));
  }
  return {
    /** True while a delivery outage is in force, this tab's or another's. */
    get delivery() {
      return state.delivery || state.otherTab;
    },
    /** True while a delivery outage heard from another tab is in force (and this tab has none of its own). */
    get otherTab() {
      return state.otherTab;
    },
    /**
     * The core's outage of `reason` ('delivery', 'queue_full', 'storage')
     * started or ended. This tab's own delivery ending ends another tab's
     * too: the collector confirmed events.
     */
    setFromCore(/** @type {OutageReason} */ reason, /** @type {boolean} */ outage) {
      if (reason === 'delivery') {
        state.delivery = !!outage;
        if (!outage) state.otherTab = false;
      } else if (reason === 'queue_full') state.queueFull = !!outage;
      else state.storeRefused = !!outage;
      announce();
    },
    /** Another tab announced the start or end of a delivery outage. */
    setOtherTab(/** @type {boolean} */ outage) {
      state.otherTab = !!outage;
      announce();
    },
    /** This tab's IndexedDB writes fail, or succeed again. */
    setStorage(/** @type {boolean} */ failing) {
      state.storage = !!failing;
      announce();
    },
    /** Tells the page the state, changed or not (the page's own view may be another). */
    tell() {
      told = describe();
      post(notice(told));
    },
  };
}
