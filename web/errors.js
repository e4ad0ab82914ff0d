// The typed errors and messages of the public API, shaped as in
// @tidal-music/event-producer so existing bus listeners keep working. Every
// error this package raises also carries a stable `id` ('tep.config.<field>',
// 'tep.init.<reason>', 'tep.worker.<reason>'), which its message starts with
// in brackets: code can test the id, people read the message. Every id is in
// error-ids.js and explained in docs/errors.md.
import { ERROR_IDS } from './error-ids.js';

export class TidalError extends Error {
  /** @param {string} errorCode @param {ErrorOptions} [options] */
  constructor(errorCode, options) {
    super(errorCode, options);
    this.name = 'TidalError';
    this.errorCode = errorCode;
  }
}

/** A TidalError of this package: errorCode and id are `id`, the message says what happened. */
/** @param {string} id @param {string} text @param {unknown} [cause] */
export function producerError(id, text, cause) {
  const error = Object.assign(new TidalError(id, cause ? { cause } : undefined), { id });
  error.message = `[${id}] ${text}`;
  return error;
}

/** Thrown by init() for a config it can't use; `field` names the field ('' for the config as a whole). */
export class IllegalArgumentError extends TidalError {
  /** @param {string} message @param {string} [field] */
  constructor(message, field = '') {
    const id = field ? `tep.config.${field}` : ERROR_IDS.argument;
    super(id);
    this.name = 'IllegalArgumentError';
    this.id = id;
    this.field = field;
    this.message = `[${id}] ${message}`;
  }
}

/**
 * Sent on the bus when events can't be delivered or stored, and again when
 * the reason changes. errorCode '1' as the reference client for 'delivery';
 * `reason` says which: 'delivery', 'queue_full', 'storage' or 'worker'.
 */
export class OutageStartError extends TidalError {
  constructor(errorCode = '1', reason = errorCode === '1' ? 'delivery' : errorCode) {
    super(errorCode);
    this.name = 'OutageStartError';
    this.reason = reason;
  }
}

/**
 * Sent on the bus when the credentials provider answers what can't be
 * credentials (a clientId or token that is an object, say): the answer is not
 * used, and events go with the last credentials known, or logged out.
 * errorCode 'credentials', id 'tep.credentials.invalid'.
 */
export class CredentialsError extends TidalError {
  /** @param {string} message */
  constructor(message) {
    super('credentials');
    this.name = 'CredentialsError';
    this.id = ERROR_IDS.credentialsInvalid;
    this.message = message;
  }
}

/** Sent on the bus when an outage ends (the first confirmed delivery). */
export const OutageEndMessage = Object.freeze({ name: 'OutageEndMessage' });

/** init() could not start the producer; errorCode names why ('storage', 'shutdown', …), `cause` what failed. */
export class InitError extends TidalError {
  /** @param {string} errorCode @param {string} message @param {unknown} [cause] */
  constructor(errorCode, message, cause) {
    super(errorCode, cause ? { cause } : undefined);
    this.name = 'InitError';
    this.id = `tep.init.${errorCode}`;
    this.message = `[${this.id}] ${message}`;
  }
}
