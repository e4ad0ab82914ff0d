// Fault injection, set at run time through POST /consumer/control. Every
// field of a control request is checked before anything changes, so a bad
// request leaves the current faults as they were.

export const FAULT_MODES = [
  'up',
  'down',
  'error',
  'throttle',
  'hang',
  'slow',
  'unrelated',
  'senderFault',
  'unauthorized',
];

const DEFAULTS = {
  status: 503, // a typical overloaded collector
  retryAfterSeconds: 2, // short enough for tests to see the retry
  delayMs: 3000, // slow, but well inside the producer's 10 s timeout
  senderFaultRate: 0.5,
  subStatus: 11003, // TIDAL's API: the access token has expired
};

// The statuses an error may answer with: a final response (1xx are interim,
// and Node refuses to send anything below 100), up to the last defined class.
const LOWEST_STATUS = 200;
const HIGHEST_STATUS = 599;
// A day: longer than any test waits, short enough to be a real Retry-After.
const LONGEST_RETRY_AFTER_SECONDS = 24 * 60 * 60;
// Ten minutes: far beyond the producer's 10 s timeout; a longer wait is what
// the hang mode is for.
const LONGEST_DELAY_MS = 10 * 60 * 1000;
// More requests than any run sends; beyond it a fault is simply "until told otherwise".
const LARGEST_COUNT = 1_000_000;

/** A control request the consumer refuses; `field` names what is wrong. */
export class FaultRequestError extends Error {
  constructor(field, message) {
    super(message);
    this.name = 'FaultRequestError';
    this.field = field;
  }
}

const isIntegerWithin = (value, lowest, highest) => Number.isInteger(value) && value >= lowest && value <= highest;
const isNumberWithin = (value, lowest, highest) =>
  typeof value === 'number' && Number.isFinite(value) && value >= lowest && value <= highest;

// Each field a request may carry: its check, and what the error says when it
// fails. A Map, so that a field such as `__proto__` finds no rule.
const FIELDS = new Map(
  Object.entries({
    mode: {
      valid: (value) => FAULT_MODES.includes(value),
      expected: (value) => `unknown mode '${String(value)}'; expected one of ${FAULT_MODES.join(', ')}`,
    },
    status: {
      valid: (value) => isIntegerWithin(value, LOWEST_STATUS, HIGHEST_STATUS),
      expected: () => `status must be an integer from ${LOWEST_STATUS} to ${HIGHEST_STATUS}`,
    },
    retryAfterSeconds: {
      valid: (value) => isIntegerWithin(value, 0, LONGEST_RETRY_AFTER_SECONDS),
      expected: () => `retryAfterSeconds must be a whole number of seconds from 0 to ${LONGEST_RETRY_AFTER_SECONDS}`,
    },
    delayMs: {
      valid: (value) => isNumberWithin(value, 0, LONGEST_DELAY_MS),
      expected: () => `delayMs must be a number of milliseconds from 0 to ${LONGEST_DELAY_MS}`,
    },
    senderFaultRate: {
      valid: (value) => isNumberWithin(value, 0, 1),
      expected: () => 'senderFaultRate must be a number from 0 to 1',
    },
    subStatus: {
      // The unauthorized mode's sub-status: TIDAL's API uses five-digit codes.
      valid: (value) => isIntegerWithin(value, 0, 99999),
      expected: () => 'subStatus must be an integer from 0 to 99999',
    },
    count: {
      // null, like leaving it out, keeps the fault until the next control request.
      valid: (value) => value === null || isIntegerWithin(value, 1, LARGEST_COUNT),
      expected: () => `count must be an integer from 1 to ${LARGEST_COUNT}, or null for no limit`,
    },
  }),
);

/** Throws FaultRequestError for anything but an object of known, valid fields. */
export function checkFaultRequest(request) {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new FaultRequestError(null, 'the body must be a JSON object such as {"mode":"down"}');
  }
  for (const [field, value] of Object.entries(request)) {
    const rule = FIELDS.get(field);
    if (!rule)
      throw new FaultRequestError(field, `unknown field '${field}'; expected ${[...FIELDS.keys()].join(', ')}`);
    if (!rule.valid(value)) throw new FaultRequestError(field, rule.expected(value));
  }
}

export class Faults {
  constructor() {
    this.reset();
  }

  reset() {
    this.config = { mode: 'up', ...DEFAULTS, remaining: null };
  }

  /** Applies a control request; throws FaultRequestError (changing nothing) for a bad one. */
  set(request) {
    checkFaultRequest(request);
    this.config = {
      mode: request.mode ?? 'up',
      status: request.status ?? DEFAULTS.status,
      retryAfterSeconds: request.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds,
      delayMs: request.delayMs ?? DEFAULTS.delayMs,
      senderFaultRate: request.senderFaultRate ?? DEFAULTS.senderFaultRate,
      subStatus: request.subStatus ?? DEFAULTS.subStatus,
      remaining: request.count ?? null,
    };
    return this.config;
  }

  /** The fault for the next batch request (counting down `count`). */
  next() {
    const current = { ...this.config };
    if (current.mode !== 'up' && current.remaining !== null) {
      this.config.remaining -= 1;
      if (this.config.remaining <= 0) this.reset();
    }
    return current;
  }
}
