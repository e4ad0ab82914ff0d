// The worker's side of the leaving batch, with fake timers: the page's copy
// follows the queue without flooding it, and the keepalive batch the page
// sent takes the page's answer instead of going twice.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createLeavingBatch,
  LEAVING_ANSWER_TIMEOUT_MS,
  LEAVING_BATCH_INTERVAL_MS,
} from '../../worker/leaving-batch.js';

function setUp(t) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const world = { body: '', posted: [], applied: [], consentSeq: 4, claimed: [], ownSent: 0, tracked: [] };
  const leaving = createLeavingBatch({
    body: () => world.body,
    endpoint: () => ({ url: 'https://c.example/api', token: 'tok' }),
    post: (notice) => world.posted.push(notice),
    applyOutcome: (request, outcome) => world.applied.push({ id: request.id, outcome }),
    consentSeq: () => world.consentSeq,
    claim: (ids) => (world.claimed.push(ids), ids.length ? 21 : 0),
    sendOwn: () => world.ownSent++,
    track: (id, answered) => world.tracked.push({ id, answered }),
    clock: () => Date.now(),
  });
  return { leaving, world };
}

test("the page's copy is refreshed at once after a change, then at most once per interval, and only when it differs", (t) => {
  const { leaving, world } = setUp(t);
  world.body = 'batch-1';
  leaving.changed();
  t.mock.timers.tick(0);
  assert.deepEqual(world.posted, [
    { type: 'leaving', version: 1, consentSeq: 4, body: 'batch-1', url: 'https://c.example/api', token: 'tok' },
  ]);
  world.body = 'batch-2';
  leaving.changed();
  leaving.changed();
  t.mock.timers.tick(LEAVING_BATCH_INTERVAL_MS - 1);
  assert.equal(world.posted.length, 1, 'not before the interval');
  t.mock.timers.tick(1);
  assert.equal(world.posted.length, 2);
  assert.equal(world.posted[1].body, 'batch-2');
  t.mock.timers.tick(LEAVING_BATCH_INTERVAL_MS);
  leaving.changed();
  t.mock.timers.tick(0);
  assert.equal(world.posted.length, 2, 'unchanged: not posted again');
  world.body = '';
  leaving.changed();
  t.mock.timers.tick(LEAVING_BATCH_INTERVAL_MS);
  assert.deepEqual(world.posted[2], { type: 'leaving', version: 3, consentSeq: 4, body: null });
});

test('after a consent change the page hears again, even of the same batch, with the new sequence', (t) => {
  const { leaving, world } = setUp(t);
  world.body = 'batch';
  leaving.changed();
  t.mock.timers.tick(0);
  world.consentSeq = 5; // the page dropped its copy built under sequence 4
  leaving.changed();
  t.mock.timers.tick(LEAVING_BATCH_INTERVAL_MS);
  assert.equal(world.posted.length, 2);
  assert.equal(world.posted[1].consentSeq, 5);
  assert.equal(world.posted[1].body, 'batch');
});

// A SendMessageBatch body of two events, as the core encodes it.
const twoEvents =
  'SendMessageBatchRequestEntry.1.Id=id-1&SendMessageBatchRequestEntry.1.MessageBody=%7B%7D' +
  '&SendMessageBatchRequestEntry.2.Id=id-2&SendMessageBatchRequestEntry.2.MessageBody=%7B%7D';

test("the batch the page sent is named by its events' ids, and takes the page's answer", async (t) => {
  const { leaving, world } = setUp(t);
  world.body = twoEvents;
  leaving.changed();
  t.mock.timers.tick(0);
  assert.deepEqual(leaving.sentByPage(1), ['id-1', 'id-2']);
  const answered = leaving.awaitPageAnswer({ id: 7 });
  leaving.pageAnswered(1, { kind: 0, status: 200, body: '<ok/>', retryAfter: '', date: '' });
  await answered;
  assert.deepEqual(world.applied, [
    { id: 7, outcome: { kind: 0, status: 200, body: '<ok/>', retryAfter: '', date: '' } },
  ]);
});

test('an older version or a page that sent nothing: no batch of the page, the worker sends its own', (t) => {
  const { leaving, world } = setUp(t);
  world.body = twoEvents;
  leaving.changed();
  t.mock.timers.tick(0);
  assert.equal(leaving.sentByPage(0), null);
  assert.equal(leaving.sentByPage(undefined), null);
  world.body = '';
  t.mock.timers.tick(LEAVING_BATCH_INTERVAL_MS);
  leaving.changed();
  t.mock.timers.tick(LEAVING_BATCH_INTERVAL_MS);
  assert.equal(leaving.sentByPage(2), null, 'the page holds no batch');
});

test("without the page's answer in time, the request times out and its events go again", async (t) => {
  const { leaving, world } = setUp(t);
  world.body = twoEvents;
  leaving.changed();
  t.mock.timers.tick(0);
  const answered = leaving.awaitPageAnswer({ id: 3 });
  t.mock.timers.tick(LEAVING_ANSWER_TIMEOUT_MS);
  await answered;
  assert.equal(world.applied[0].outcome.kind, 2);
  leaving.pageAnswered(1, { kind: 0, status: 200, body: '', retryAfter: '', date: '' });
  assert.equal(world.applied.length, 1, 'a late answer changes nothing');
});

test("on leaving, the batch the page sent is claimed and in flight until the page's answer; else the core sends its own", async (t) => {
  const { leaving, world } = setUp(t);
  world.body = 'SendMessageBatchRequestEntry.1.Id=e1&SendMessageBatchRequestEntry.2.Id=e2';
  leaving.changed();
  t.mock.timers.tick(0);
  leaving.leave(1);
  assert.deepEqual(world.claimed, [['e1', 'e2']]);
  assert.equal(world.ownSent, 0);
  assert.equal(world.tracked[0].id, 21);
  leaving.pageAnswered(1, { kind: 0, status: 200, body: '', retryAfter: '', date: '' });
  await world.tracked[0].answered;
  assert.deepEqual(world.applied, [{ id: 21, outcome: { kind: 0, status: 200, body: '', retryAfter: '', date: '' } }]);
  leaving.leave(undefined);
  assert.equal(world.ownSent, 1, 'the page sent nothing: the core sends its own');
});

test('on leaving, a batch whose events the core no longer holds is not in flight', (t) => {
  const { leaving, world } = setUp(t);
  world.body = 'Action=SendMessageBatch';
  leaving.changed();
  t.mock.timers.tick(0);
  leaving.leave(1);
  assert.deepEqual(world.claimed, [[]]);
  assert.deepEqual(world.tracked, []);
  assert.equal(world.ownSent, 0);
});
