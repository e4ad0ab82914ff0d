// Credentials never leave the consumer: what it stores and shows carries a
// fingerprint of each token instead of the token. The fingerprint lets a test
// check which token a request carried (compare it with tokenFingerprint of the
// token it gave the producer) without the consumer revealing it.
import { createHash } from 'node:crypto';
import { entryFieldOf, HEADERS_FIELD } from './form-body.mjs';

// 16 hex digits (64 bits of SHA-256): enough to tell tokens apart, far too
// few to be the token. A guessable token stays guessable; real ones are long.
const FINGERPRINT_HEX_DIGITS = 16;

/** What stands in for `token` everywhere the consumer shows it. */
export function tokenFingerprint(token) {
  const digest = createHash('sha256').update(String(token)).digest('hex');
  return `[redacted sha256:${digest.slice(0, FINGERPRINT_HEX_DIGITS)}]`;
}

/** An Authorization header with its credentials replaced: `Bearer abc` → `Bearer [redacted sha256:…]`. */
export function redactAuthorizationHeader(value) {
  if (value === null || value === undefined) return null;
  const scheme = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*) +(.*)$/.exec(value);
  return scheme ? `${scheme[1]} ${tokenFingerprint(scheme[2])}` : tokenFingerprint(value);
}

const isAuthorizationKey = (key) => key.toLowerCase() === 'authorization';
const FINGERPRINT = new RegExp(`^\\[redacted sha256:[0-9a-f]{${FINGERPRINT_HEX_DIGITS}}\\]$`);

// Events stored before they were redacted are redacted when read back; those
// stored since already carry a fingerprint, which stays as it is.
function redactedValue(value) {
  if (value === null || value === undefined) return value;
  if (typeof value === 'string' && FINGERPRINT.test(value)) return value;
  return tokenFingerprint(typeof value === 'string' ? value : JSON.stringify(value));
}

/**
 * An event's header map with every `authorization` (any case) replaced by
 * its fingerprint; the order of the keys is kept. Anything but an object is
 * returned as it is.
 */
export function redactHeaders(headers) {
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) return headers;
  return Object.fromEntries(
    Object.entries(headers).map(([key, value]) => [key, isAuthorizationKey(key) ? redactedValue(value) : value]),
  );
}

function redactHeadersText(text) {
  if (!/authorization/i.test(text)) return null;
  try {
    const headers = JSON.parse(text);
    if (headers && typeof headers === 'object' && !Array.isArray(headers))
      return JSON.stringify(redactHeaders(headers));
  } catch {
    // Not JSON: it can't be read, so it can't be shown either.
  }
  return '[redacted: unreadable headers mentioning authorization]';
}

/**
 * A SendMessageBatch form body as the consumer shows it: each entry's header
 * map redacted, every other byte as received.
 */
export function redactFormBody(text) {
  return text
    .split('&')
    .map((pair) => {
      // Decoded as the consumer reads the whole body (form-body.mjs), so what it
      // takes for a header map is what gets redacted.
      const [[key, value] = []] = new URLSearchParams(pair);
      if (key === undefined || entryFieldOf(key) !== HEADERS_FIELD) return pair;
      const redacted = redactHeadersText(value);
      return redacted === null ? pair : `${pair.slice(0, pair.indexOf('='))}=${encodeURIComponent(redacted)}`;
    })
    .join('&');
}
