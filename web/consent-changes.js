// What a change of the site's consent (web/site-consent.js, its owner) does
// on the page: events sent before it are judged by the consent they were
// sent under, those after it by the new one; what the page holds of the
// categories it purged goes; the worker is told, and replaced if it refuses
// or misses the change (the new one starts from the site's consent).
import { Action } from './protocol.js';
import { createPurge } from './held-events.js';
import { ERROR_IDS } from './error-ids.js';

/**
 * @param {{
 *   active: Pick<ReturnType<typeof import('./active-session.js').createActiveSession>,
 *     'session' | 'ready' | 'postBuffered' | 'workerEnded'>,
 *   held: ReturnType<typeof import('./held-events.js').createHeldEvents>,
 * }} dependencies
 */
export function createConsentChanges({ active, held }) {
  return {
    /**
     * The consent is about to change: what the app sent until now, under
     * `blocked`, goes to the worker now, or is held as a segment of its own.
     * @param {import('./protocol.js').BlockedCategories} blocked
     */
    closeSegment(blocked) {
      if (active.ready()) active.postBuffered(blocked);
      else held.holdBuffer(blocked);
    },
    /**
     * The site's consent changed, in this tab or another, purging `purged`.
     * @param {import('./site-consent.js').SiteConsent} consent
     * @param {import('./site-consent.js').BlockableCategory[]} purged
     */
    apply(consent, purged) {
      const session = active.session();
      if (purged.length) {
        const purge = createPurge(purged);
        session?.purgeUnacknowledged(purge);
        held.purge(purge);
      }
      session?.leaving.forget(); // built under the old consent
      if (!session?.isReady()) return;
      session.request(Action.consent, { consent }).catch((error) => {
        if (session.isClosed() || error.id === ERROR_IDS.workerClosed) return; // the next worker starts from it
        console.error(`event-producer: [${ERROR_IDS.consentNotApplied}] ${error.message}; restarting the worker`);
        active.workerEnded(session);
      });
    },
  };
}
