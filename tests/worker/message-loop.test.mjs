// The worker's message loop: one reply per request, errors with stable
// codes, malformed messages counted and never handed to a handler.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMessageLoop } from '../../worker/message-loop.js';

function setUp({ ready = true, starting = () => null } = {}) {
  const posted = [];
  const problems = [];
  const handled = [];
  const loop = createMessageLoop({
    handlers: {
      stats: () => ({ queued: 3 }),
      flush: async () => {
        throw Object.assign(new Error('storage refused the write'), { code: 'storage' });
      },
      events: (message) => void handled.push(message),
      init: () => 'started',
    },
    ready: () => ready,
    starting,
    needsReady: (action) => action !== 'init',
    post: (notice) => posted.push(notice),
    reportProblem: (text) => problems.push(text),
  });
  return { loop, posted, problems, handled };
}

test('a request is answered with its result', async () => {
  const { loop, posted } = setUp();
  await loop.receive({ id: 7, action: 'stats' });
  assert.deepEqual(posted, [{ type: 'reply', id: 7, result: { queued: 3 } }]);
});

test("a handler's error is the reply, with its code", async () => {
  const { loop, posted } = setUp();
  await loop.receive({ id: 8, action: 'flush' });
  assert.deepEqual(posted, [
    { type: 'reply', id: 8, error: { code: 'storage', message: 'storage refused the write' } },
  ]);
});

test('an unknown action and a malformed message are answered, counted and not handled', async () => {
  const { loop, posted, handled } = setUp();
  await loop.receive({ id: 1, action: 'format-disk' });
  await loop.receive({ id: 2, action: 'online', online: 'maybe' });
  await loop.receive({ action: 'events', events: [42] }); // no id: nothing to answer
  await loop.receive('not even an object');
  assert.deepEqual(
    posted.map((p) => p.error.code),
    ['unknown_action', 'bad_message'],
  );
  assert.deepEqual(handled, []);
  assert.equal(loop.rejected(), 4);
});

test('before init, actions that need it are refused with not_initialised; init itself runs', async () => {
  const { loop, posted } = setUp({ ready: false });
  await loop.receive({ id: 1, action: 'stats' });
  await loop.receive({
    id: 2,
    action: 'init',
    config: { core: {}, tlConsumerUri: 'u', tlPublicConsumerUri: 'p' },
    credentials: null,
    consent: {
      seq: 0,
      writer: 'w',
      blocked: { PERFORMANCE: false, TARGETING: false },
      purgedBefore: { PERFORMANCE: null, TARGETING: null },
    },
  });
  assert.equal(posted[0].error.code, 'not_initialised');
  assert.deepEqual(posted[1], { type: 'reply', id: 2, result: 'started' });
});

test('an error of a message without an id is reported as a problem with its id', async () => {
  const posted = [];
  const problems = [];
  const loop = createMessageLoop({
    handlers: {
      events: () => {
        throw Object.assign(new Error('the core could not allocate'), { code: 'out_of_memory' });
      },
    },
    ready: () => true,
    needsReady: () => true,
    post: (n) => posted.push(n),
    reportProblem: (text) => problems.push(text),
  });
  await loop.receive({ action: 'events', events: ['{}'] });
  assert.deepEqual(posted, []);
  assert.deepEqual(problems, ['[tep.worker.out_of_memory] the core could not allocate']);
});

test('while init finishes after answering, actions wait for it and run in the order they came', async () => {
  let finish;
  const underway = new Promise((resolve) => (finish = resolve));
  let ready = false;
  const posted = [];
  const handled = [];
  const loop = createMessageLoop({
    handlers: { events: (message) => void handled.push(message.seq), stats: () => handled.length },
    ready: () => ready,
    starting: () => underway,
    needsReady: () => true,
    post: (notice) => posted.push(notice),
    reportProblem: () => {},
  });
  const answered = [
    loop.receive({ action: 'events', seq: 1, events: ['{}'] }),
    loop.receive({ action: 'events', seq: 2, events: ['{}'] }),
    loop.receive({ id: 3, action: 'stats' }),
  ];
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(handled, [], 'nothing runs before the restore');
  ready = true;
  finish();
  await Promise.all(answered);
  assert.deepEqual(handled, [1, 2]);
  assert.deepEqual(posted, [{ type: 'reply', id: 3, result: 2 }], 'stats sees both hand-overs');
});

test('if the rest of init fails, the actions that waited for it are answered with its error', async () => {
  const { loop, posted } = setUp({
    ready: false,
    starting: () => Promise.reject(Object.assign(new Error('the restore failed'), { code: 'restore' })),
  });
  await loop.receive({ id: 4, action: 'stats' });
  assert.deepEqual(posted, [{ type: 'reply', id: 4, error: { code: 'restore', message: 'the restore failed' } }]);
});
