// The typed errors and messages of the public API, shaped as in
// @tidal-music/event-producer so existing bus listeners keep working.

export class TidalError extends Error {
  constructor(errorCode, options) {
    super(errorCode, options);
    this.name = 'TidalError';
    this.errorCode = errorCode;
  }
}

/** Thrown by init() for a config it can't use. */
export class IllegalArgumentError extends TidalError {
  constructor(message) {
    super(message);
    this.name = 'IllegalArgumentError';
  }
}

/** Sent on the bus when events can't be delivered or stored. errorCode '1' as the reference client. */
export class OutageStartError extends TidalError {
  constructor(errorCode = '1') {
    super(errorCode);
    this.name = 'OutageStartError';
  }
}

/** Sent on the bus when an outage ends (the first confirmed delivery). */
export const OutageEndMessage = Object.freeze({ name: 'OutageEndMessage' });

/** init() could not start the producer; `cause` names why. */
export class InitError extends TidalError {
  constructor(errorCode, message, cause) {
    super(errorCode, cause ? { cause } : undefined);
    this.name = 'InitError';
    this.message = `[tep.init.${errorCode}] ${message}`;
  }
}
