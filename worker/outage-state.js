// The outage the page hears about. Events can't be delivered (the core's
// verdict, shared by every tab of the origin over a BroadcastChannel), or
// can't be stored (this tab's IndexedDB writes fail: quota, storage blocked;
// or this tab's queue reached maxDiskUsageBytes). The page is told when the
// combined state changes, with the reason ('storage' wins: it is the one a
// reload would not survive).

/**
 * `post({ outage, reason })` is called on every change; `delivery` and
 * `storage` are the states the page already knows from init.
 */
export function createOutageState(post, { delivery = false, storage = false } = {}) {
  const state = { delivery, storage, queueFull: false };
  const describe = () => (state.storage || state.queueFull ? 'storage' : state.delivery ? 'delivery' : 'none');
  let told = describe();
  function announce() {
    const now = describe();
    if (now === told) return;
    told = now;
    post({ outage: now !== 'none', reason: now === 'none' ? undefined : now });
  }
  return {
    /** True while a delivery outage is in force, this tab's or another's. */
    get delivery() {
      return state.delivery;
    },
    setDelivery(outage) {
      state.delivery = !!outage;
      announce();
    },
    setStorage(failing) {
      state.storage = !!failing;
      announce();
    },
    /** Tells the page the state, changed or not (the page's own view may be another). */
    tell() {
      told = describe();
      post({ outage: told !== 'none', reason: told === 'none' ? undefined : told });
    },
    /** This tab's queue is at maxDiskUsageBytes: new events are dropped until it drains. */
    setQueueFull(full) {
      state.queueFull = !!full;
      announce();
    },
  };
}
