// What the page holds of the events the app sent while no worker was ready
// to take them (before init answers, while an ended worker is replaced): in
// segments, each with the categories blocked when the app sent its events,
// so that a consent change orders itself among them. Past a cap, events are
// dropped and counted, to be reported as storing failures once a worker runs.
// Pure: no timers, no globals.

import { ERROR_IDS } from './error-ids.js';

/** @typedef {import('./protocol.js').RefusedEvent} RefusedEvent */
/** @typedef {import('./protocol.js').BlockedCategories} BlockedCategories */
/** @typedef {{ events: string[], unserialisable: RefusedEvent[], blocked: BlockedCategories }} HeldSegment */

// Events sent before init resolves are held up to this many (a few MB of
// typical events); beyond it they are dropped and counted.
export const MAX_HELD_EVENTS = 10000;

/**
 * A purge of the events of the `purged` categories wherever the page holds
 * them: `keep(events)` is `events` without them, `refusals()` counts those
 * removed, by name, as consent-filtered.
 * @param {readonly string[]} purged
 */
export function createPurge(purged) {
  /** @type {Map<string, number>} name → count */
  const counts = new Map();
  return {
    /** @param {string[]} events */
    keep(events) {
      return events.filter((json) => {
        const { name, category } = nameAndCategoryOf(json);
        if (!purged.includes(/** @type {string} */ (category))) return true;
        counts.set(name, (counts.get(name) ?? 0) + 1);
        return false;
      });
    },
    /** @returns {RefusedEvent[]} */
    refusals() {
      return [...counts].map(([name, count]) => ({
        name,
        problem: `[${ERROR_IDS.eventConsentPurged}] purged by a consent change before the worker stored it`,
        reason: 'consent',
        count,
      }));
    },
  };
}

/** @typedef {ReturnType<typeof createPurge>} Purge */

/**
 * The name and consentCategory of a serialised event.
 * @param {string} json
 * @returns {{ name: string, category: unknown }}
 */
function nameAndCategoryOf(json) {
  try {
    const { name, consentCategory } = JSON.parse(json) ?? {};
    return { name: typeof name === 'string' ? name : '', category: consentCategory };
  } catch {
    return { name: '', category: undefined };
  }
}

export function createHeldEvents({ maxHeld = MAX_HELD_EVENTS } = {}) {
  // The events sent since the last hand-over or consent change.
  /** @type {string[]} */
  let buffer = [];
  /** @type {RefusedEvent[]} */
  let unserialisable = [];
  // Earlier events, each segment sent under the consent it names.
  /** @type {HeldSegment[]} */
  let segments = [];
  let eventsInSegments = 0;
  let overflow = 0;

  return {
    /**
     * Buffers the serialised event `json`; while no worker is `ready`, only
     * up to the cap. Returns false when it was dropped.
     * @param {string} json
     * @param {{ ready: boolean }} worker
     */
    add(json, { ready }) {
      if (!ready && buffer.length + eventsInSegments >= maxHeld) {
        overflow++;
        return false;
      }
      buffer.push(json);
      return true;
    },
    /**
     * Buffers an event refused on the page, to be counted once a worker runs.
     * @param {RefusedEvent} refused
     * @param {{ ready: boolean }} worker
     */
    refuse(refused, { ready }) {
      if (!ready && unserialisable.length >= maxHeld) overflow++;
      else unserialisable.push(refused);
    },
    /** True when nothing was sent since the last hand-over. */
    isBufferEmpty: () => !buffer.length && !unserialisable.length,
    /** The buffer's events and refusals, which the page hands over now. */
    takeBuffer() {
      const taken = { events: buffer, unserialisable };
      buffer = [];
      unserialisable = [];
      return taken;
    },
    /**
     * Closes the buffer into a segment sent under `blocked` (the consent is
     * about to change).
     * @param {BlockedCategories} blocked
     */
    holdBuffer(blocked) {
      if (!buffer.length && !unserialisable.length) return;
      segments.push({ events: buffer, unserialisable, blocked });
      eventsInSegments += buffer.length;
      buffer = [];
      unserialisable = [];
    },
    /**
     * Puts `earlier` (hand-overs an ended worker never confirmed) before
     * everything held, in their order.
     * @param {HeldSegment[]} earlier
     */
    holdFirst(earlier) {
      for (const segment of earlier) eventsInSegments += segment.events.length;
      segments = [...earlier, ...segments];
    },
    /**
     * The segments, oldest first, for a worker that is now ready; the events
     * dropped over the cap are counted into the buffer, which follows them.
     */
    takeSegments() {
      const taken = segments;
      segments = [];
      eventsInSegments = 0;
      if (overflow) {
        unserialisable.push({
          name: '(held before init)',
          problem: 'too many events before init',
          reason: 'storing',
          count: overflow,
        });
        overflow = 0;
      }
      return taken;
    },
    /**
     * Removes the events `purge` removes from everything held and counts
     * what it removed (here and wherever else it was applied) as refusals.
     * @param {Purge} purge
     */
    purge(purge) {
      for (const segment of segments) {
        const before = segment.events.length;
        segment.events = purge.keep(segment.events);
        eventsInSegments -= before - segment.events.length;
      }
      buffer = purge.keep(buffer);
      unserialisable.push(...purge.refusals());
    },
  };
}
