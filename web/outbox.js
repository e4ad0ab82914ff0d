// The outbox: messages to the worker, with events stamped with the user's
// current credentials.
//
// Events carry the credentials of the moment they were sent (the
// `authorization` and `client-id` headers): @tidal-music/event-producer asks
// the credentials provider for every event. Here the provider is asked once
// per hand-over of buffered events, and the worker applies the answer before
// those events, so a log-out or log-in holds from the next events on. While
// the provider answers, later messages wait behind in order.
import { DEADLINES } from './deadlines.js';

/** @typedef {import('./protocol.js').Request} Request */
/** @typedef {import('./protocol.js').RequestOf<'events'>} EventsRequest */

// Events wait at most this long on the page for the provider's current
// credentials, then go with the last ones known: a slow token refresh must
// not keep events where a closing tab would lose them.
export const EVENT_CREDENTIALS_TIMEOUT_MS = DEADLINES.credentialsPerHandOverMs;

/**
 * `post(message)` reaches the worker; `isOpen()` is false once the session
 * ended (held messages are then dropped, as the worker is gone);
 * `credentials` asks the provider (web/credentials.js).
 * @param {{
 *   post: (message: Request) => void,
 *   isOpen?: () => boolean,
 *   credentials: Pick<import('./credentials.js').CredentialsSource, 'ask' | 'hasProvider'>,
 * }} dependencies
 */
export function createOutbox({ post, isOpen = () => true, credentials }) {
  /** @type {Request[]} */
  let held = []; // messages waiting behind an ask of the provider
  let asking = false;
  let ask = 0; // which ask the outbox waits for (a page going away releases it early)

  /**
   * Posts `message` now, or after the provider's answer the outbox waits for.
   * @param {Request} message
   */
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
   * Sends an events `message`, first stamped with the provider's current
   * credentials (`message.credentials`) if there is a provider, while the
   * messages after it wait.
   * @param {EventsRequest} message
   */
  function sendStamped(message) {
    if (!credentials.hasProvider() || asking) {
      send(message);
      return;
    }
    asking = true;
    held.push(message);
    const thisAsk = ++ask;
    credentials.ask({ timeoutMs: EVENT_CREDENTIALS_TIMEOUT_MS }).then(({ credentials: current }) => {
      if (thisAsk !== ask || !asking) return; // released already
      if (current) message.credentials = current;
      release();
    });
  }

  return { send, sendStamped, release };
}
