// The page's life as the producer follows it: hidden or going away (a tab
// switch, a navigation, the tab closed), shown again, on- or offline.
//
// When the page is hidden its worker may be ended before it hears of it: the
// page sends at once the leaving batch the worker keeps ready for it
// (web/leaving-batch.js) and tells the worker the outcome; everything
// buffered goes to the worker without waiting for the provider, and the
// worker makes its queue durable. visibilitychange and pagehide both fire
// when a page goes away: one hand-off per hidden period is enough.

/**
 * @typedef {{
 *   request: import('./session.js').Session['request'],
 *   tell: import('./session.js').Session['tell'],
 *   release: () => void,
 *   leaving: { send(answer: (outcome: import('./leaving-batch.js').LeavingOutcome) => void): number | undefined },
 * }} LeavingSession
 */

/**
 * `readySession()` is the session whose worker takes events now, or null;
 * `handOverBuffered()` hands it what the app sent since the last hand-over;
 * `onLeft(stats)` hears the worker's stats once it made its queue durable.
 * @param {{
 *   readySession: () => LeavingSession | null,
 *   handOverBuffered: () => void,
 *   onLeft: (stats: import('./protocol.js').WorkerStats) => void,
 *   document?: { visibilityState: string, addEventListener(type: string, listener: () => void): void } | null,
 *   window?: { addEventListener(type: string, listener: () => void): void } | null,
 *   navigator?: { onLine?: boolean } | null,
 * }} dependencies
 */
export function createPageLifecycle({
  readySession,
  handOverBuffered,
  onLeft,
  document = globalThis.document ?? null,
  window = typeof globalThis.addEventListener === 'function' ? globalThis : null,
  navigator = globalThis.navigator ?? null,
}) {
  let handedOff = false; // in this hidden period
  let listening = false;

  function onHidden() {
    const session = readySession();
    if (!session || handedOff) return;
    handedOff = true;
    const version = session.leaving.send((outcome) => session.tell({ action: 'leavingAnswer', ...outcome }));
    // No time to wait for the provider: everything goes now.
    session.release();
    handOverBuffered();
    session
      .request('pageHidden', version === undefined ? {} : { leaving: version })
      .then(onLeft)
      // The page is going away: nobody is left to tell, and the worker stores what it has regardless.
      .catch(() => {});
  }

  function onShown() {
    handedOff = false;
  }

  /** Tells the worker whether the page is online: workers don't always hear it (emulation, some browsers). */
  function tellOnline() {
    readySession()
      ?.request('online', { online: navigator?.onLine !== false })
      // A worker that ended: its replacement is told at its start (started()).
      .catch(() => {});
  }

  return {
    /** True from the page's hiding until it is shown again: events go at once, stored without delay. */
    isLeaving: () => handedOff,
    /**
     * A worker just started: it is told if the page is offline. The page is
     * followed from the first, once for its lifetime whatever number of
     * sessions it starts.
     */
    started() {
      if (!listening && document) {
        listening = true;
        const page = document;
        page.addEventListener('visibilitychange', () => {
          if (page.visibilityState === 'hidden') onHidden();
          else onShown();
        });
        window?.addEventListener('pagehide', onHidden);
        window?.addEventListener('pageshow', onShown);
        window?.addEventListener('online', tellOnline);
        window?.addEventListener('offline', tellOnline);
      }
      if (navigator?.onLine === false) tellOnline();
    },
  };
}
