// The worker's copy of the page's credentials, and the one place that
// chooses where a batch goes with them: the logged-in endpoint with the
// token, the public one without. It feeds the sender, the leaving batch and
// the core (which stamps the client id on the batches it builds). The page's
// credentials provider is asked only when a batch needs fresh credentials
// (after a 401), and never waited for longer than the cap: a provider that
// hangs must not hold the queue.

import { DEADLINES } from '../web/deadlines.js';

// How long a batch waits for the page's credentials provider before it is
// sent with the last credentials known.
export const CREDENTIALS_ANSWER_TIMEOUT_MS = DEADLINES.credentialsAfterRefusalMs;

/** @typedef {import('../web/protocol.js').Credentials} Credentials */
/** @typedef {{ url: string, token: string | null }} Endpoint */

/**
 * `post(notice)`: to the page. `tell(clientId, token)`: gives the core the
 * credentials in force.
 * @param {{
 *   post: (notice: import('../web/protocol.js').CredentialsRequestNotice) => void,
 *   tell: (clientId: string | null, token: string | null) => void,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createPageCredentials({ post, tell, timers = globalThis }) {
  /** @type {Map<number, (fresh: Credentials) => void>} */
  const waiting = new Map();
  let nextRequestId = 1;
  /** @type {Credentials} */
  let credentials = null;
  let endpoints = { tlConsumerUri: '', tlPublicConsumerUri: '' };

  /** The page's credentials (null: logged out); the core is told. @param {Credentials | undefined} fresh */
  function set(fresh) {
    credentials = fresh ? { clientId: fresh.clientId ?? null, token: fresh.token ?? null } : null;
    tell(credentials?.clientId ?? null, credentials?.token ?? null);
  }

  /**
   * Asks the page's provider; resolves to its answer, or to the credentials
   * known if it has none in time.
   * @param {string} subStatus
   * @returns {Promise<Credentials>}
   */
  function ask(subStatus) {
    return new Promise((resolve) => {
      const requestId = nextRequestId++;
      const settle = (/** @type {Credentials} */ fresh) => {
        timers.clearTimeout(timer);
        waiting.delete(requestId);
        resolve(fresh || credentials);
      };
      const timer = timers.setTimeout(() => settle(null), CREDENTIALS_ANSWER_TIMEOUT_MS);
      waiting.set(requestId, settle);
      post({ type: 'credentials-request', requestId, subStatus: subStatus || undefined });
    });
  }

  /** Where a batch goes now, and with which token. @returns {Endpoint} */
  function endpoint() {
    const token = credentials?.token || null;
    return { url: token ? endpoints.tlConsumerUri : endpoints.tlPublicConsumerUri, token };
  }

  return {
    set,
    /** The credentials in force: { clientId, token }, or null. */
    current: () => credentials,

    /** The collector's two endpoints, from init's config. @param {{ tlConsumerUri: string, tlPublicConsumerUri: string }} config */
    useEndpoints({ tlConsumerUri, tlPublicConsumerUri }) {
      endpoints = { tlConsumerUri, tlPublicConsumerUri };
    },

    endpoint,

    /**
     * Where the core's `request` goes. Public-only events go to the public
     * endpoint. After a 401 the page's provider is asked first, but never
     * for a keepalive batch: the page is going away, its answer would come
     * too late.
     * @param {{ publicOnly: boolean, keepalive: boolean, refreshCredentials: boolean, subStatus: string }} request
     * @returns {Promise<Endpoint>}
     */
    async endpointFor({ publicOnly, keepalive, refreshCredentials, subStatus }) {
      if (publicOnly) return { url: endpoints.tlPublicConsumerUri, token: null };
      if (refreshCredentials && !keepalive) {
        const fresh = await ask(subStatus);
        if (fresh !== credentials) set(fresh);
      }
      return endpoint();
    },

    /** The page's answer to request `requestId`: the provider's credentials, or null. @param {number} requestId @param {Credentials} fresh */
    answer(requestId, fresh) {
      waiting.get(requestId)?.(fresh || null);
    },
  };
}

/** @typedef {ReturnType<typeof createPageCredentials>} PageCredentials */
