// The outbox: messages to the worker, with events stamped with the user's
// current credentials.
//
// Events carry the credentials of the moment they were sent (the
// `authorization` and `client-id` headers): @tidal-music/event-producer asks
// the credentials provider for every event. Here the provider is asked once
// per hand-over of buffered events, and the worker applies the answer before
// those events, so a log-out or log-in holds from the next events on. While
// the provider answers, later messages wait behind in order.

// Events wait at most this long on the page for the provider's current
// credentials, then go with the last ones known: a slow token refresh must
// not keep events where a closing tab would lose them.
export const EVENT_CREDENTIALS_TIMEOUT_MS = DEADLINES.credentialsPerHandOverMs;

import { askProvider, checkCredentials } from './credentials.js';
import { DEADLINES } from './deadlines.js';

/** The provider's credentials now, or undefined (keep the last known) if it fails, is slow or answers none. */
function currentCredentials(provider, read, timers) {
  return new Promise((resolve) => {
    const timer = timers.setTimeout(resolve, EVENT_CREDENTIALS_TIMEOUT_MS);
    const settle = (value) => {
      timers.clearTimeout(timer);
      resolve(value);
    };
    askProvider(provider).then(
      (got) => settle(read(got) ?? undefined),
      () => settle(undefined),
    );
  });
}

/**
 * `post(message)` reaches the worker; `isOpen()` is false once the session
 * ended (held messages are then dropped, as the worker is gone). `read(answer)`
 * turns a provider's answer into credentials, undefined if it can't be any
 * (web/credentials.js).
 */
export function createOutbox({
  post,
  isOpen = () => true,
  timers = globalThis,
  read = (answer) => checkCredentials(answer).credentials,
}) {
  let held = []; // messages waiting behind an ask of the provider
  let asking = false;
  let ask = 0; // which ask the outbox waits for (a page going away releases it early)

  /** Posts `message` now, or after the provider's answer the outbox waits for. */
  function send(message) {
    if (asking) held.push(message);
    else post(message);
  }

  /** Posts everything held, without waiting any longer for the provider. */
  function release() {
    asking = false;
    const waiting = held;
    held = [];
    if (isOpen()) for (const message of waiting) post(message);
  }

  /**
   * Sends an events `message`; with `provider`, first stamps it with the
   * provider's current credentials (`message.credentials`), while the
   * messages after it wait.
   */
  function sendStamped(message, provider) {
    if (!provider || asking) {
      send(message);
      return;
    }
    asking = true;
    held.push(message);
    const thisAsk = ++ask;
    currentCredentials(provider, read, timers).then((credentials) => {
      if (thisAsk !== ask || !asking) return; // released already
      if (credentials) message.credentials = credentials;
      release();
    });
  }

  return { send, sendStamped, release };
}
