// Fault injection, set at run time through POST /consumer/control.

export const FAULT_MODES = ['up', 'down', 'error', 'throttle', 'hang', 'slow', 'unrelated', 'senderFault'];

const DEFAULTS = {
  status: 503,            // a typical overloaded collector
  retryAfterSeconds: 2,   // short enough for tests to see the retry
  delayMs: 3000,          // slow, but well inside the producer's 10 s timeout
  senderFaultRate: 0.5,
};

export class Faults {
  constructor() {
    this.reset();
  }

  reset() {
    this.config = { mode: 'up', ...DEFAULTS, remaining: null };
  }

  /** Applies a control request; throws on an unknown mode. */
  set(request) {
    const mode = request.mode ?? 'up';
    if (!FAULT_MODES.includes(mode)) throw new Error(`unknown mode '${mode}'; expected one of ${FAULT_MODES.join(', ')}`);
    this.config = {
      mode,
      status: Number(request.status ?? DEFAULTS.status),
      retryAfterSeconds: Number(request.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds),
      delayMs: Number(request.delayMs ?? DEFAULTS.delayMs),
      senderFaultRate: Number(request.senderFaultRate ?? DEFAULTS.senderFaultRate),
      remaining: request.count === undefined ? null : Number(request.count),
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
