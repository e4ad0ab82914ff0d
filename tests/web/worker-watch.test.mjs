// Whether a worker lives, with fake timers: where Web Locks are, the page
// waits on the worker's alive lock; elsewhere it pings, skips the pings
// while hidden, and takes the worker for gone after two unanswered in a row.
// Either way watching stops when the session closes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkerWatch, newAliveLock } from '../../web/worker-watch.js';
import { DEADLINES } from '../../web/deadlines.js';

const flushPromises = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A session whose pings `answer()` decides: true, or an error id to reject with. */
function fakeSession(answer) {
  const closers = [];
  let pings = 0;
  return {
    pings: () => pings,
    request(action) {
      assert.equal(action, 'ping');
      pings++;
      const result = answer();
      return result === true ? Promise.resolve(true) : Promise.reject(Object.assign(new Error(result), { id: result }));
    },
    onClose: (callback) => closers.push(callback),
    close: () => closers.forEach((callback) => callback('closed')),
  };
}

test('without Web Locks, two pings in a row without a reply mean the worker is gone', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
  const answers = ['tep.worker.no_reply', true, 'tep.worker.no_reply', 'tep.worker.no_reply'];
  const session = fakeSession(() => answers.shift());
  let ended = 0;
  createWorkerWatch({ locks: null, isHidden: () => false }).watch(session, {
    aliveLock: 'l',
    aliveLockHeld: false,
    onEnded: () => ended++,
  });
  for (let i = 0; i < 3; i++) {
    t.mock.timers.tick(DEADLINES.pingIntervalMs);
    await flushPromises();
  }
  assert.equal(ended, 0, 'a missed ping then an answer: alive');
  t.mock.timers.tick(DEADLINES.pingIntervalMs);
  await flushPromises();
  assert.equal(ended, 1);
});

test('a hidden page does not ping, and other errors than no reply do not count', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
  let hidden = true;
  const session = fakeSession(() => 'tep.worker.bad_message');
  let ended = 0;
  createWorkerWatch({ locks: null, isHidden: () => hidden }).watch(session, {
    aliveLock: 'l',
    aliveLockHeld: false,
    onEnded: () => ended++,
  });
  t.mock.timers.tick(DEADLINES.pingIntervalMs * 3);
  await flushPromises();
  assert.equal(session.pings(), 0);
  hidden = false;
  t.mock.timers.tick(DEADLINES.pingIntervalMs * 3);
  await flushPromises();
  assert.equal(session.pings(), 3);
  assert.equal(ended, 0);
});

test('pings stop when the session closes', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
  const session = fakeSession(() => true);
  createWorkerWatch({ locks: null, isHidden: () => false }).watch(session, {
    aliveLock: 'l',
    aliveLockHeld: false,
    onEnded: () => {},
  });
  t.mock.timers.tick(DEADLINES.pingIntervalMs);
  session.close();
  t.mock.timers.tick(DEADLINES.pingIntervalMs * 5);
  assert.equal(session.pings(), 1);
});

test('with Web Locks the worker is gone when its alive lock is granted to the page; closing aborts the wait', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
  const requests = [];
  const locks = {
    request(name, { signal }, callback) {
      requests.push({ name, signal, callback });
      return new Promise((resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    },
  };
  const session = fakeSession(() => assert.fail('no pings where the lock tells'));
  let ended = 0;
  createWorkerWatch({ locks, isHidden: () => false }).watch(session, {
    aliveLock: 'tep-worker-alive-x',
    aliveLockHeld: true,
    onEnded: () => ended++,
  });
  t.mock.timers.tick(DEADLINES.pingIntervalMs * 3);
  assert.equal(requests[0].name, 'tep-worker-alive-x');
  requests[0].callback();
  assert.equal(ended, 1);
  session.close();
  assert.equal(requests[0].signal.aborted, true);
  await flushPromises();
});

test('a worker that could not take its lock (none in its scope) is pinged instead', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval', 'setTimeout'] });
  const locks = { request: () => assert.fail('not waited on') };
  const session = fakeSession(() => true);
  createWorkerWatch({ locks, isHidden: () => false }).watch(session, {
    aliveLock: 'l',
    aliveLockHeld: false,
    onEnded: () => {},
  });
  t.mock.timers.tick(DEADLINES.pingIntervalMs);
  assert.equal(session.pings(), 1);
});

test('replacements wait the growing delay of web/worker-restarts.js, counted from the last start', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const watch = createWorkerWatch({ locks: null, now: () => Date.now() });
  watch.started();
  let replaced = 0;
  watch.replacement().then(() => replaced++);
  t.mock.timers.tick(0);
  await flushPromises();
  assert.equal(replaced, 1, 'the first at once');
  watch.replacement().then(() => replaced++);
  t.mock.timers.tick(999);
  await flushPromises();
  assert.equal(replaced, 1);
  t.mock.timers.tick(1);
  await flushPromises();
  assert.equal(replaced, 2, 'the next after 1 s');
});

test('each alive lock name is new', () => {
  assert.notEqual(newAliveLock(), newAliveLock());
  assert.match(newAliveLock(), /^tep-worker-alive-/);
});
