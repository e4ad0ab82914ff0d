// Whether a session's worker still lives, and when an ended one may be
// replaced. A worker can end without a word: a crash, out of memory, the
// browser reclaiming it. The page notices (the worker's Web Lock is
// released, or it stops answering pings) and starts a new worker on the same
// store, after a delay that grows while workers keep ending
// (web/worker-restarts.js).
import { Action } from './protocol.js';
import { DEADLINES } from './deadlines.js';
import { createWorkerRestarts } from './worker-restarts.js';
import { ERROR_IDS } from './error-ids.js';

// Where Web Locks are missing, the page asks its worker this often whether it is alive.
const PING_INTERVAL_MS = DEADLINES.pingIntervalMs;
// A hidden page's timers and its worker may be throttled or paused: a worker
// is taken for gone only after this many pings in a row went unanswered.
const MISSED_PINGS_FOR_GONE = 2;

/**
 * @typedef {{ request(action: 'ping', fields: {}): Promise<true>, onClose(callback: () => void): void }} WatchedSession
 * @typedef {{ request(name: string, options: { signal: AbortSignal }, callback: () => unknown): Promise<unknown> }} Locks
 */

/** A name for the Web Lock a new worker holds while it lives, unique to it. */
export function newAliveLock() {
  return `tep-worker-alive-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
}

/**
 * `locks` is navigator.locks where there is one; `isHidden()` whether the
 * page is hidden (its worker is not pinged then); `timers` run the pings and
 * the restart delays.
 * @param {{
 *   locks?: Locks | null,
 *   isHidden?: () => boolean,
 *   timers?: { setTimeout: typeof setTimeout, setInterval: typeof setInterval, clearInterval: typeof clearInterval },
 *   now?: () => number,
 * }} [dependencies]
 */
export function createWorkerWatch({
  locks = globalThis.navigator?.locks,
  isHidden = () => globalThis.document?.visibilityState === 'hidden',
  timers = globalThis,
  now = () => Date.now(),
} = {}) {
  const restarts = createWorkerRestarts({ timers, now });
  return {
    /**
     * Calls `onEnded()` once the worker of `session` ends, until the session
     * closes: when it releases `aliveLock`, if it could hold it
     * (`aliveLockHeld`), else when it misses pings.
     * @param {WatchedSession} session
     * @param {{ aliveLock: string, aliveLockHeld: boolean, onEnded: () => void }} worker
     */
    watch(session, { aliveLock, aliveLockHeld, onEnded }) {
      if (locks && aliveLockHeld) {
        const watching = new AbortController();
        session.onClose(() => watching.abort());
        locks.request(aliveLock, { signal: watching.signal }, onEnded).catch(() => {}); // aborted at close
        return;
      }
      let missed = 0;
      const timer = timers.setInterval(() => {
        if (isHidden()) return;
        session.request(Action.ping, {}).then(
          () => (missed = 0),
          (/** @type {{ id?: string }} */ error) => {
            if (error.id === ERROR_IDS.workerNoReply && ++missed >= MISSED_PINGS_FOR_GONE) onEnded();
          },
        );
      }, PING_INTERVAL_MS);
      session.onClose(() => timers.clearInterval(timer));
    },
    /** A worker starts (init): its lifetime counts from now. */
    started: () => restarts.started(),
    /** Resolves when the replacement of a worker that ended may start. */
    replacement: () => restarts.replace(),
  };
}
