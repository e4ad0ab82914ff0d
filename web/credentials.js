// The credentials provider: the page's only asker of it (init, each hand-over
// of events, the worker's questions after a 401), with a time limit each
// caller names. Its answers are checked before they cross to the worker. A provider that throws (synchronously too) or rejects is a failing
// one: the events go with the last credentials known, or in the logged-out
// form. Numbers are taken as strings, as @tidal-music/event-producer ends up
// sending them (in a header, in `Bearer <token>`); an answer whose clientId
// or token can't be a credential at all (an object, a boolean) is not used,
// and said so: never by holding events back.

import { ERROR_IDS } from './error-ids.js';

/**
 * The provider's answer to `getCredentials(subStatus)`; a provider that throws at once rejects.
 * @param {{ getCredentials(subStatus?: string): unknown }} provider
 * @param {string} [subStatus]
 */
function askProvider(provider, subStatus) {
  try {
    return Promise.resolve(subStatus === undefined ? provider.getCredentials() : provider.getCredentials(subStatus));
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * `value` as a credential string, null if absent, or undefined if it can't be one.
 * @param {unknown} value
 */
function credentialText(value) {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
  return undefined;
}

/**
 * How a refusal names what the provider gave: 'an object', 'a boolean', 'NaN'…
 * @param {unknown} value
 */
function kindOf(value) {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * What the worker takes of a provider's answer (the spec reads only clientId
 * and token): `{ credentials }`, null for no answer, or `{ problem }` with a
 * stable id when the answer can't be credentials.
 * @param {unknown} answer
 * @returns {{ credentials: import('./protocol.js').Credentials, problem?: undefined } | { problem: string, credentials?: undefined }}
 */
export function checkCredentials(answer) {
  if (answer === undefined || answer === null) return { credentials: null };
  const refuse = (/** @type {string} */ what) => ({
    problem: `[${ERROR_IDS.credentialsInvalid}] the credentials provider's ${what}: its answer is not used`,
  });
  if (typeof answer !== 'object') return refuse(`answer is ${kindOf(answer)}, not an object`);
  let clientId;
  let token;
  try {
    ({ clientId, token } = /** @type {{ clientId?: unknown, token?: unknown }} */ (answer));
  } catch (error) {
    return refuse(`answer threw when read (${/** @type {Error} */ (error)?.message ?? error})`);
  }
  const clientIdText = credentialText(clientId);
  if (clientIdText === undefined) return refuse(`clientId is ${kindOf(clientId)}, not a string or a number`);
  const tokenText = credentialText(token);
  if (tokenText === undefined) return refuse(`token is ${kindOf(token)}, not a string or a number`);
  return { credentials: { clientId: clientIdText, token: tokenText } };
}

/**
 * @typedef {{ getCredentials(subStatus?: string): unknown }} CredentialsProvider
 * @typedef {{ credentials: import('./protocol.js').Credentials | undefined, error?: string, timedOut?: true }} CredentialsAnswer
 *   `credentials` null: logged out (no provider); undefined: none usable (the
 *   provider failed, was slow (`timedOut`) or answered what can't be credentials), `error` says why.
 */

/**
 * The page's one asker of the credentials provider (`provider()`: the one in
 * force, set by init or setCredentialsProvider). Keeps the last refusal:
 * `onRefused(problem)` hears each new one (the bus), `problem()` says the one
 * in force (getStats), until the provider answers usable credentials again.
 * @param {{
 *   provider: () => CredentialsProvider | null | undefined,
 *   onRefused: (problem: string) => void,
 *   timers?: { setTimeout: typeof setTimeout, clearTimeout: typeof clearTimeout },
 * }} dependencies
 */
export function createCredentials({ provider, onRefused, timers = globalThis }) {
  /** @type {string | null} */
  let refusal = null;

  /**
   * The answer's credentials, or undefined when it can't be credentials.
   * @param {unknown} answer
   */
  function read(answer) {
    const { credentials, problem } = checkCredentials(answer);
    if (problem === undefined) {
      refusal = null;
      return credentials;
    }
    if (problem !== refusal) onRefused(problem);
    refusal = problem;
    return undefined;
  }

  /**
   * Asks the provider (with the collector's `subStatus` after a 401) and
   * waits at most `timeoutMs` for its answer.
   * @param {{ timeoutMs: number, subStatus?: string }} options
   * @returns {Promise<CredentialsAnswer>}
   */
  function ask({ timeoutMs, subStatus }) {
    const asked = provider();
    if (!asked) return Promise.resolve({ credentials: null });
    return new Promise((resolve) => {
      const timer = timers.setTimeout(
        () =>
          resolve({
            credentials: undefined,
            error: `the credentials provider did not answer within ${timeoutMs} ms`,
            timedOut: true,
          }),
        timeoutMs,
      );
      /** @param {CredentialsAnswer} answer */
      const settle = (answer) => {
        timers.clearTimeout(timer);
        resolve(answer);
      };
      askProvider(asked, subStatus).then(
        (answer) => {
          const credentials = read(answer);
          settle(credentials === undefined ? { credentials, error: refusal ?? undefined } : { credentials });
        },
        (error) => settle({ credentials: undefined, error: String(error && error.message ? error.message : error) }),
      );
    });
  }

  return {
    ask,
    /** True when there is a provider to ask. */
    hasProvider: () => !!provider(),
    /** Why the provider's last answer was not used, until it answers usable credentials; null if it was. */
    problem: () => refusal,
  };
}

/** @typedef {ReturnType<typeof createCredentials>} CredentialsSource */
