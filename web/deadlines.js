// The time limits that depend on each other, in one table for the page and
// the worker (which imports it from here): a wait must outlast the work it
// waits for, or it gives up on work that was going to succeed.
// tests/web/deadlines.test.mjs checks the order between them.

export const DEADLINES = Object.freeze({
  /** A request to the collector is aborted after this: the spec's 10 s, as @tidal-music/event-producer. */
  collectorRequestMs: 10000,
  /**
   * The worker waits this long for the page's answer to the leaving batch
   * the page sent itself: longer than that request may take, or the events
   * would go again while the page's request is still on its way.
   */
  leavingAnswerMs: 15000,
  /** flush() answers at this budget whatever is still in flight (the rest goes on the scheduler's timer). */
  flushBudgetMs: 15000,
  /** The page's wait for flush's reply: the budget with room for a busy worker and the store's write. */
  flushReplyMs: 30000,
  /** The page's wait for the reply to pageHidden, which answers once the queue is durable. */
  pageHiddenReplyMs: 30000,
  /** The page's wait for any other reply; a worker silent this long is taken for gone. */
  replyMs: 10000,
  /** init never hangs: a worker that doesn't start in this time is an error. */
  initMs: 20000,
  /**
   * The page's wait for init's reply: longer than initMs, so that a worker
   * that doesn't start is reported as init's timeout, not as a worker that
   * stopped answering.
   */
  initReplyMs: 25000,
  /** At init the provider gets this long before the producer starts without credentials. */
  credentialsAtInitMs: 5000,
  /** A hand-over of events waits this long for the provider's current credentials. */
  credentialsPerHandOverMs: 1000,
  /** After a 401 the worker waits this long for the page's provider before sending logged out. */
  credentialsAfterRefusalMs: 5000,
  /** Without Web Locks, the page asks its worker this often whether it is alive. */
  pingIntervalMs: 5000,
});
