// The page's outage state and its reason: the one place on the page that
// holds them. isOutage() reads them; the bus hears every start, end and
// change of reason from here.
import { OutageEndMessage, OutageStartError } from './errors.js';

/** @typedef {import('./protocol.js').OutageReason | 'worker'} PageOutageReason */

// The errorCode each reason's OutageStartError carries ('1' as @tidal-music/event-producer).
const OUTAGE_ERROR_CODES = Object.freeze({
  delivery: '1',
  queue_full: 'storage',
  storage: 'storage',
  worker: 'worker',
});

/**
 * `emit(detail)` tells the bus; `onDeliveryOutage()` runs when events start
 * to wait for the collector (they may stay stored past this tab's life, for
 * the service worker to send).
 * @param {{
 *   emit: (detail: OutageStartError | typeof OutageEndMessage) => void,
 *   onDeliveryOutage?: () => void,
 * }} dependencies
 */
export function createOutage({ emit, onDeliveryOutage = () => {} }) {
  /** @type {PageOutageReason | null} */
  let reason = null;
  return {
    /**
     * The outage's reason is now `next`: 'delivery', 'queue_full', 'storage'
     * (the worker's) or 'worker' (it ended); null when there is none.
     * @param {PageOutageReason | null} next
     */
    set(next) {
      if (next === reason) return;
      reason = next;
      if (next === 'delivery') onDeliveryOutage();
      emit(next === null ? OutageEndMessage : new OutageStartError(OUTAGE_ERROR_CODES[next], next));
    },
    /** True while events can't be delivered or stored. */
    isOutage: () => reason !== null,
    /** Why, or null when there is no outage. */
    reason: () => reason,
  };
}
