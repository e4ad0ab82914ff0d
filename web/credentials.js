// The credentials provider's answers, checked before they cross to the
// worker. A provider that throws (synchronously too) or rejects is a failing
// one: the events go with the last credentials known, or in the logged-out
// form. Numbers are taken as strings, as @tidal-music/event-producer ends up
// sending them (in a header, in `Bearer <token>`); an answer whose clientId
// or token can't be a credential at all (an object, a boolean) is not used,
// and said so: never by holding events back.

/** The provider's answer to `getCredentials(subStatus)`; a provider that throws at once rejects. */
export function askProvider(provider, subStatus) {
  try {
    return Promise.resolve(subStatus === undefined ? provider.getCredentials() : provider.getCredentials(subStatus));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** `value` as a credential string, null if absent, or undefined if it can't be one. */
function credentialText(value) {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if ((typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint') return String(value);
  return undefined;
}

/** How a refusal names what the provider gave: 'an object', 'a boolean', 'NaN'… */
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
 * @returns {{ credentials: import('./protocol.js').Credentials, problem?: undefined } | { problem: string, credentials?: undefined }}
 */
export function checkCredentials(answer) {
  if (answer === undefined || answer === null) return { credentials: null };
  const refuse = (what) => ({
    problem: `[tep.credentials.invalid] the credentials provider's ${what}: its answer is not used`,
  });
  if (typeof answer !== 'object') return refuse(`answer is ${kindOf(answer)}, not an object`);
  let clientId;
  let token;
  try {
    ({ clientId, token } = answer);
  } catch (error) {
    return refuse(`answer threw when read (${error?.message ?? error})`);
  }
  const fields = { clientId: credentialText(clientId), token: credentialText(token) };
  for (const [field, text] of Object.entries(fields)) {
    const given = field === 'clientId' ? clientId : token;
    if (text === undefined) return refuse(`${field} is ${kindOf(given)}, not a string or a number`);
  }
  return { credentials: fields };
}

/**
 * Reads providers' answers and keeps the last refusal: `onRefused(problem)`
 * hears each new one (the bus), `problem()` says the one in force (getStats),
 * until the provider answers usable credentials again.
 */
export function createCredentialsCheck({ onRefused }) {
  let refusal = null;
  return {
    /** The answer's credentials, or undefined when it can't be credentials. */
    read(answer) {
      const { credentials, problem } = checkCredentials(answer);
      if (problem === undefined) {
        refusal = null;
        return credentials;
      }
      if (problem !== refusal) onRefused(problem);
      refusal = problem;
      return undefined;
    },
    problem: () => refusal,
  };
}
