// flush() with fake timers: it goes on while the collector takes batches,
// stops when nothing moves, and answers at its budget whatever is in flight.
import assert from 'node:assert/strict';
import { test, mock } from 'node:test';
import { createFlush, FLUSH_BUDGET_MS } from '../../worker/flush.js';

/** A queue of `queued` events sent in batches of 10; `answer` says what becomes of each request. */
function world({ queued, answer }) {
  const state = { delivered: 0, queued, sent: 0 };
  let inFlight = [];
  const flush = createFlush({
    sendNow: () => {
      if (state.queued === 0) return;
      state.sent++;
      inFlight = [answer(state)];
    },
    inFlight: () => inFlight,
    durable: () => Promise.resolve(true),
    stats: () => ({ ...state }),
    clock: () => Date.now(),
    timers: { setTimeout, clearTimeout },
  });
  return { state, flush };
}

const deliverTen = (state) => {
  state.delivered += Math.min(10, state.queued);
  state.queued -= Math.min(10, state.queued);
  return Promise.resolve();
};

test('flush sends batch after batch until the queue is empty', async () => {
  const { state, flush } = world({ queued: 35, answer: deliverTen });
  const stats = await flush();
  assert.equal(stats.queued, 0);
  assert.equal(stats.delivered, 35);
  assert.equal(state.sent, 4);
});

test('flush answers after one attempt when the collector takes nothing', async () => {
  const { state, flush } = world({ queued: 35, answer: () => Promise.resolve() });
  const stats = await flush();
  assert.equal(stats.queued, 35);
  assert.equal(state.sent, 1);
});

test('flush answers at its budget while a request is still in flight, long before the page stops waiting', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.after(() => mock.timers.reset());
  // A request that never settles: the page's answer to its leaving batch that never comes.
  const { flush } = world({ queued: 5, answer: () => new Promise(() => {}) });
  let answered = null;
  flush().then((stats) => (answered = stats));
  for (let ms = 0; ms < FLUSH_BUDGET_MS - 1000; ms += 1000) {
    mock.timers.tick(1000);
    await Promise.resolve();
  }
  assert.equal(answered, null, 'not before the budget');
  mock.timers.tick(1000);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(answered && answered.queued, 5, 'answered at the budget, the events still queued');
  assert.ok(FLUSH_BUDGET_MS <= 20000, 'well within the page’s 30 s wait');
});

test('flush stops starting batches once its budget is spent', async (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  t.after(() => mock.timers.reset());
  // Each batch takes 4 s to be confirmed.
  const slow = (state) => new Promise((resolve) => setTimeout(resolve, 4000)).then(() => deliverTen(state));
  const { state, flush } = world({ queued: 100, answer: slow });
  let answered = null;
  flush().then((stats) => (answered = stats));
  for (let i = 0; i < 40 && !answered; i++) {
    mock.timers.tick(1000);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.ok(answered, 'answered');
  assert.ok(state.sent <= Math.ceil(FLUSH_BUDGET_MS / 4000) + 1, `${state.sent} batches in the budget`);
  assert.ok(answered.queued > 0, 'the rest is left to the scheduler');
});

test("a failed write is flush's answer", async () => {
  const flush = createFlush({
    sendNow: () => {},
    inFlight: () => [],
    durable: () => Promise.reject(new Error('QuotaExceededError')),
    stats: () => ({ delivered: 0, queued: 1 }),
  });
  await assert.rejects(flush(), /QuotaExceededError/);
});

test('a write that fails stops flush: it answers without starting another batch', async () => {
  const state = { delivered: 0, queued: 35, sent: 0 };
  let inFlight = [];
  const flush = createFlush({
    sendNow: () => {
      if (state.queued === 0) return;
      state.sent++;
      inFlight = [deliverTen(state)];
    },
    inFlight: () => inFlight,
    durable: () => Promise.resolve(false), // IndexedDB refuses the write (a full quota)
    stats: () => ({ ...state }),
  });
  const stats = await flush();
  assert.equal(state.sent, 1, 'no batch after the failed write');
  assert.equal(stats.queued, 25, 'the rest is left to the scheduler');
});

test('a request that failed before flush was called does not end it: flush makes its own attempt', async () => {
  // One request in flight at a time. The scheduler started one while the
  // collector was down; it came back, and the page calls flush.
  const state = { delivered: 0, queued: 15, sent: 0 };
  let failEarlier;
  let inFlight = [new Promise((resolve) => (failEarlier = resolve))];
  let settledRequests = 0;
  const track = (request) => request.finally(() => settledRequests++);
  inFlight = inFlight.map(track);
  const flush = createFlush({
    sendNow: () => {
      if (inFlight.length > settledRequests || state.queued === 0) return; // one in flight at most
      state.sent++;
      inFlight = [track(deliverTen(state))];
      settledRequests = 0;
    },
    inFlight: () => inFlight,
    durable: () => Promise.resolve(true),
    stats: () => ({ ...state }),
  });
  const answered = flush();
  failEarlier(); // the earlier request ends without a confirmation
  const stats = await answered;
  assert.equal(stats.queued, 0, 'everything queued was sent');
  assert.equal(state.sent, 2);
});

test('flush answers only once the removal of what the collector confirmed is durable', async () => {
  // The collector confirms the last batch; its removal is stored afterwards.
  let pendingWrite = null;
  const state = { delivered: 0, queued: 8 };
  let inFlight = [];
  const flush = createFlush({
    sendNow: () => {
      if (state.queued === 0) return;
      inFlight = [new Promise((resolve) => setTimeout(resolve, 10)).then(() => deliverTen(state))];
    },
    inFlight: () => inFlight,
    durable: () => {
      // Everything before the confirmation is stored already; the removal takes a write.
      if (state.delivered === 0) return Promise.resolve(true);
      pendingWrite ??= new Promise((resolve) => setTimeout(resolve, 50)).then(() => (state.removalStored = true));
      return pendingWrite;
    },
    stats: () => ({ ...state }),
  });
  const stats = await flush();
  assert.equal(stats.queued, 0);
  assert.equal(stats.removalStored, true, 'the removal is in IndexedDB when flush answers');
});
