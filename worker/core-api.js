// The core as the worker calls it: the one caller of the wasm module's
// `_tep_*` exports (declared in worker/core.d.mts, which `tsc` checks every
// call here against). Strings cross into the module's memory through
// worker/core-strings.js for the length of one call; the JSON texts the core
// returns come back parsed. Nothing here keeps state but the sequence of the
// consent last given to the core, which the leaving batch is stamped with.
import { createCoreStrings } from './core-strings.js';

/** @typedef {import('./core.mjs').CoreModule} CoreModule */
/** @typedef {import('./core.mjs').RestoreSummary} RestoreSummary */
/** @typedef {import('./core.mjs').AdoptReport} AdoptReport */
/** @typedef {import('./sender.js').Outcome} Outcome */
/** @typedef {'validation' | 'storing' | 'consent'} RefusalReason */
/**
 * The core's stats (src/stats_json.cpp): the worker's stats without what
 * only the worker knows (its store, storage and start).
 * @typedef {Omit<import('../web/protocol.js').WorkerStats, 'persistent' | 'storeId' | 'coordination' |
 *   'adoptedEvents' | 'keptAsideFiles' | 'storageError' | 'durable' | 'initTimings' | 'rejectedMessages'>} CoreStats
 */

// What the page refused an event for, in the order tep_count_refused_on_page numbers them.
const REFUSAL_REASONS = /** @type {const} */ (['validation', 'storing', 'consent']);

/**
 * The consent the page's events were sent under, as tep_send_events takes
 * it: a bit per blocked category, or -1 for the consent in force.
 * @param {import('../web/protocol.js').BlockedCategories | undefined} blocked
 */
export function entryBlocked(blocked) {
  if (!blocked) return -1;
  return (blocked.PERFORMANCE ? 1 : 0) | (blocked.TARGETING ? 2 : 0);
}

/**
 * Wraps the module `core` (what worker/core.mjs's factory resolved to).
 * @param {CoreModule} core
 */
export function createCoreApi(core) {
  const { withCString, withCStrings } = createCoreStrings(core);
  let consentSeq = 0;
  const text = (/** @type {number} */ pointer) => core.UTF8ToString(pointer);

  return {
    /**
     * Creates the producer from `configJson` (the app's config, JSON) on the
     * folder `folder`; false if the core refused the config.
     * @param {string} configJson @param {string} folder
     */
    create(configJson, folder) {
      return withCStrings([configJson, folder], (config, path) => core._tep_create(config, path)) === 0;
    },

    /** Reads the stored queue into the core. @param {number} now @returns {RestoreSummary} */
    restore(now) {
      return JSON.parse(text(core._tep_restore(now)));
    },

    /** Moves the events of the store mounted at `folder` into this queue. @param {string} folder @param {number} now @returns {AdoptReport} */
    adopt(folder, now) {
      return JSON.parse(withCString(folder, (pointer) => text(core._tep_adopt(pointer, now))));
    },

    /**
     * Hands `events` (JSON texts) to the core in one call; throws with code
     * 'out_of_memory' if their copy does not fit the core's memory.
     * @param {string[]} events @param {number} now @param {number} blocked entryBlocked()'s value
     */
    sendEvents(events, now, blocked) {
      withCString(events.join('\n'), (pointer, length) => core._tep_send_events(pointer, length, now, blocked));
    },

    /**
     * Counts `count` events the page refused under `name` for `reason`.
     * @param {{ name?: string, problem: string, reason?: RefusalReason, count?: number }} refused
     */
    countRefused({ name, problem, reason, count = 1 }) {
      withCStrings([String(name ?? ''), String(problem)], (n, p) =>
        core._tep_count_refused_on_page(n, p, REFUSAL_REASONS.indexOf(reason ?? 'validation'), count),
      );
    },

    /** @param {number} now */
    tick: (now) => core._tep_tick(now),
    /** Starts every batch the core can send now. @param {number} now */
    flush: (now) => core._tep_flush(now),
    /** Sends one keepalive batch of at most `maxBodyBytes`. @param {number} maxBodyBytes @param {number} now */
    sendKeepalive: (maxBodyBytes, now) => core._tep_send_keepalive(maxBodyBytes, now),
    /** The body of the batch the core would send with keepalive now ('' for none). @param {number} maxBodyBytes */
    leavingBatch: (maxBodyBytes) => text(core._tep_leaving_batch(maxBodyBytes)),
    /** Takes the events `ids` (the batch the page sent) as a request in flight; its id, or 0. @param {string[]} ids */
    claimLeavingBatch: (ids) =>
      withCString(ids.join('\n'), (pointer, length) => core._tep_claim_leaving_batch(pointer, length)),
    /** When the core next needs to run (ms since the epoch), or a negative number for never. @param {number} now */
    nextWake: (now) => core._tep_next_wake(now),
    /** The collector answered request `id` with `status`; its body is still being read. @param {number} id @param {number} status @param {number} now */
    answered: (id, status, now) => core._tep_on_answered(id, status, now),

    /**
     * What became of request `id`. Null strings (no memory to copy them) pass
     * nothing. Throws with code 'out_of_memory' if a string does not fit.
     * @param {number} id
     * @param {{ kind: number, status: number, body: string | null, retryAfter: string | null, date: string | null }} outcome
     * @param {number} now
     */
    respond(id, { kind, status, body, retryAfter, date }, now) {
      withCStrings([body, retryAfter, date], (b, r, d) =>
        core._tep_on_response(id, kind, status, b, body === null ? 0 : core.lengthBytesUTF8(body), r, d, now),
      );
    },

    /**
     * Makes `consent` (web/site-consent.js) the core's: what it blocks stays
     * queued and unsent, what it purges is removed.
     * @param {import('../web/site-consent.js').SiteConsent} consent
     */
    setConsent({ seq, blocked, purgedBefore }) {
      core._tep_set_consent(
        blocked.PERFORMANCE ? 1 : 0,
        blocked.TARGETING ? 1 : 0,
        purgedBefore.PERFORMANCE ?? -Infinity,
        purgedBefore.TARGETING ?? -Infinity,
      );
      consentSeq = seq;
    },
    /** The sequence of the site's consent the core has (0 before any). */
    consentSeq: () => consentSeq,

    /** @param {string | null} clientId @param {string | null} token */
    setCredentials(clientId, token) {
      withCStrings([clientId, token], (c, t) => core._tep_set_credentials(c, t));
    },
    /** @param {boolean} online @param {number} now */
    setOnline: (online, now) => core._tep_set_online(online ? 1 : 0, now),
    /** Another tab's outage ended: retry now rather than at the end of the backoff. @param {number} now */
    retryEarly: (now) => core._tep_retry_early(now),
    /** True while the core itself is in a delivery outage. */
    inOutage: () => core._tep_outage() !== 0,

    /** Writes the core's counters and flags into its files. */
    persistState: () => core._tep_persist_state(),
    /** The names of the files changed since the last call. @returns {string[]} */
    takeChangedFiles() {
      const joined = text(core._tep_take_changed_files());
      return joined ? joined.split('\n') : [];
    },
    /** Grows with every change to the core's files. */
    storageGeneration: () => core._tep_storage_generation(),

    /** @returns {CoreStats} */
    stats: () => JSON.parse(text(core._tep_stats())),
  };
}

/** @typedef {ReturnType<typeof createCoreApi>} CoreApi */
