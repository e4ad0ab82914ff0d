// The site's consent: one per origin, not one per tab. This module owns it on
// the page; the worker and its core are told every change and never decide
// it. A change in any tab (setConsentCategory, or an init whose config states
// otherwise) is stored at once in localStorage, whose write is synchronous
// and so outlives a tab closed right after the call, and reaches every other
// live tab of the origin on a BroadcastChannel. Each change carries a
// sequence number: a tab takes a change only if it is newer than the one it
// holds, so the latest change wins everywhere.
//
// A purge is part of the consent: `purgedBefore[category]` is Infinity while
// a category blocked with `purge` stays blocked, then the time it was allowed
// again. Events of that category created before it are removed wherever a
// worker finds them: its queue, a store it restores, a store it adopts.
import { IllegalArgumentError } from './errors.js';

export const CONSENT_STORAGE_KEY = 'tep-consent';
export const CONSENT_CHANNEL_NAME = 'tep-consent';
/** The categories that can be blocked (NECESSARY never is). */
export const BLOCKABLE_CATEGORIES = /** @type {const} */ (['PERFORMANCE', 'TARGETING']);

/** @typedef {'PERFORMANCE' | 'TARGETING'} BlockableCategory */
/**
 * @typedef {{
 *   seq: number,
 *   writer: string,
 *   blocked: Record<BlockableCategory, boolean>,
 *   purgedBefore: Record<BlockableCategory, number | null>,
 * }} SiteConsent
 */

/**
 * Throws IllegalArgumentError (tep.config.blockedConsentCategories) unless
 * `value` is a blockedConsentCategories object: each category true, false,
 * null or undefined. null and undefined state nothing (the category is not
 * blocked unless the site's consent blocks it), as in
 * @tidal-music/event-producer where they are falsy.
 * @param {unknown} value
 */
export function checkBlockedCategories(value) {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new IllegalArgumentError('blockedConsentCategories must be an object', 'blockedConsentCategories');
  }
  for (const category of ['NECESSARY', ...BLOCKABLE_CATEGORIES]) {
    const flag = /** @type {Record<string, unknown>} */ (value)[category];
    if (flag !== undefined && flag !== null && typeof flag !== 'boolean') {
      throw new IllegalArgumentError(
        `blockedConsentCategories.${category} must be true, false, null or undefined (got ${JSON.stringify(flag) ?? typeof flag})`,
        'blockedConsentCategories',
      );
    }
  }
}

/**
 * The consent of a site where nothing was ever stated: nothing blocked, nothing purged.
 * @param {string} writer
 * @returns {SiteConsent}
 */
function nothingStated(writer) {
  return {
    seq: 0,
    writer,
    blocked: { PERFORMANCE: false, TARGETING: false },
    purgedBefore: { PERFORMANCE: null, TARGETING: null },
  };
}

/**
 * True if `a` is a later change than `b` (ties between tabs go to the larger writer id).
 * @param {SiteConsent} a
 * @param {SiteConsent} b
 */
export function isNewerConsent(a, b) {
  return a.seq > b.seq || (a.seq === b.seq && a.writer > b.writer);
}

/**
 * `value` if it is a SiteConsent (from storage or another tab), else null.
 * @param {unknown} value
 * @returns {SiteConsent | null}
 */
export function readSiteConsent(value) {
  if (typeof value !== 'object' || value === null) return null;
  const { seq, writer, blocked, purgedBefore } = /** @type {any} */ (value);
  if (!Number.isSafeInteger(seq) || seq < 0 || typeof writer !== 'string') return null;
  if (typeof blocked !== 'object' || blocked === null || typeof purgedBefore !== 'object' || purgedBefore === null)
    return null;
  for (const category of BLOCKABLE_CATEGORIES) {
    if (typeof blocked[category] !== 'boolean') return null;
    const time = purgedBefore[category];
    if (time !== null && typeof time !== 'number') return null;
  }
  return {
    seq,
    writer,
    blocked: { PERFORMANCE: blocked.PERFORMANCE, TARGETING: blocked.TARGETING },
    purgedBefore: { PERFORMANCE: purgedBefore.PERFORMANCE, TARGETING: purgedBefore.TARGETING },
  };
}

// JSON has no Infinity: storage spells "everything purged" as 'all'.
const toStored = (/** @type {SiteConsent} */ consent) =>
  JSON.stringify(consent, (key, v) => (v === Infinity ? 'all' : v));
const fromStored = (/** @type {string} */ text) =>
  readSiteConsent(JSON.parse(text, (key, v) => (v === 'all' ? Infinity : v)));

/**
 * @param {{
 *   onChange: (consent: SiteConsent, purged: BlockableCategory[]) => void,
 *   storage?: { getItem(key: string): string | null, setItem(key: string, value: string): void } | null,
 *   openChannel?: () => { postMessage(m: unknown): void, close(): void,
 *     addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void } | null,
 *   now?: () => number,
 *   writer?: string,
 *   mirror?: ((consent: SiteConsent, options: { changed: boolean }) => Promise<unknown>) | null,
 * }} dependencies `onChange` hears the changes made in other tabs, with the
 *   categories they purged. `mirror`, if given, gets the consent in force
 *   now and after every change made or heard here (the service worker's copy,
 *   web/service-worker-handoff.js), with `changed` false only for the first;
 *   its failures change nothing here.
 */
export function createSiteConsent({
  onChange,
  storage = defaultStorage(),
  openChannel = defaultChannel,
  now = Date.now,
  writer = Math.random().toString(36).slice(2),
  mirror = null,
}) {
  /** @type {SiteConsent} */
  let consent = stored() ?? nothingStated(writer);
  // The mirror reports its own failures (web/index.js); one it lets through
  // must not stop a change of consent here.
  const mirrored = (changed = true) => mirror?.(consent, { changed }).catch(() => {});
  mirrored(false);
  const channel = openChannel();
  channel?.addEventListener('message', ({ data: heardData }) => {
    const data = /** @type {any} */ (heardData);
    const heard = readSiteConsent(data?.consent);
    if (!heard || !isNewerConsent(heard, consent)) return;
    consent = heard;
    mirrored();
    /** @type {(c: unknown) => c is BlockableCategory} */
    const isBlockable = (c) => BLOCKABLE_CATEGORIES.includes(/** @type {BlockableCategory} */ (c));
    onChange(consent, Array.isArray(data.purged) ? data.purged.filter(isBlockable) : []);
  });

  function stored() {
    try {
      const text = storage?.getItem(CONSENT_STORAGE_KEY);
      return text ? fromStored(text) : null;
    } catch {
      return null; // storage blocked, or a value this release can't read: as if none
    }
  }

  /**
   * Makes `next` the site's consent: stored, and told to the other tabs.
   * @param {SiteConsent} next
   * @param {BlockableCategory[]} purged
   */
  function publish(next, purged) {
    consent = next;
    mirrored();
    try {
      storage?.setItem(CONSENT_STORAGE_KEY, toStored(next));
    } catch {
      // storage blocked or full: the live tabs still hear it
    }
    channel?.postMessage({ consent: next, purged });
  }

  /**
   * `statements` (a category → boolean; null and undefined state nothing)
   * applied to the site's consent: a new change if they differ from it.
   * Purges `purge` names among the categories they block.
   * @param {Record<string, unknown>} statements
   * @param {boolean} purge
   * @returns {BlockableCategory[]} the categories purged
   */
  function state(statements, purge) {
    // The latest stored change, which another tab may have made since.
    const latest = stored();
    if (latest && isNewerConsent(latest, consent)) consent = latest;
    const blocked = { ...consent.blocked };
    const purgedBefore = { ...consent.purgedBefore };
    /** @type {BlockableCategory[]} */
    const purged = [];
    for (const category of BLOCKABLE_CATEGORIES) {
      const flag = statements[category];
      if (typeof flag !== 'boolean') continue;
      if (flag && purge) {
        purgedBefore[category] = Infinity;
        purged.push(category);
      }
      // Allowed again after a purge: what was purged stays purged.
      if (!flag && purgedBefore[category] === Infinity) purgedBefore[category] = now();
      blocked[category] = flag;
    }
    const changed = BLOCKABLE_CATEGORIES.some(
      (c) => blocked[c] !== consent.blocked[c] || purgedBefore[c] !== consent.purgedBefore[c],
    );
    if (changed) publish({ seq: consent.seq + 1, writer, blocked, purgedBefore }, purged);
    return purged;
  }

  return {
    /** The consent in force. */
    current: () => consent,
    /**
     * A change of this tab's (setConsentCategory, init's config); throws
     * IllegalArgumentError for values that are no statement.
     * @param {unknown} statements
     * @param {{ purge?: boolean }} [options]
     * @returns {BlockableCategory[]} the categories purged
     */
    change(statements, { purge = false } = {}) {
      checkBlockedCategories(statements);
      return state(/** @type {Record<string, unknown>} */ (statements ?? {}), purge);
    },
  };
}

function defaultStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // a sandboxed frame without storage access
  }
}

function defaultChannel() {
  if (typeof BroadcastChannel !== 'function') return null;
  const channel = new BroadcastChannel(CONSENT_CHANNEL_NAME);
  // Node (server-side rendering imports the package) would otherwise stay alive for it.
  /** @type {{ unref?: () => void }} */ (channel).unref?.();
  return channel;
}
