// The session of one init, with fake timers and a fake worker: requests get
// their replies or reject at their action's time limit, hand-overs are kept
// until the worker confirms them stored (up to a cap), the worker's
// questions for credentials are answered, and a closed session answers
// nothing more.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeWorker } from './fake-worker.mjs';
import { createSession, MAX_UNCONFIRMED_EVENTS } from '../../web/session.js';
import { createCredentials } from '../../web/credentials.js';
import { createPurge } from '../../web/held-events.js';
import { DEADLINES } from '../../web/deadlines.js';

const flushPromises = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setUp(t, { provider, consentSeq = 1 } = {}) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const notices = [];
  const sentLeaving = [];
  const credentials = createCredentials({ provider: () => provider, onRefused: () => {}, timers: globalThis });
  const session = createSession({
    credentials,
    consentSeq: () => consentSeq,
    onNotice: (notice) => notices.push(notice),
    timers: globalThis,
    sendLeaving: (leaving, answer) => sentLeaving.push({ leaving, answer }),
  });
  const worker = fakeWorker();
  session.connect(worker);
  return { session, worker, notices, sentLeaving };
}

test('a request resolves with its reply, matched by id', async (t) => {
  const { session, worker } = setUp(t);
  const stats = session.request('stats', {});
  const ping = session.request('ping', {});
  assert.deepEqual(
    worker.posted.map(({ id, action }) => [id, action]),
    [
      [1, 'stats'],
      [2, 'ping'],
    ],
  );
  worker.notice({ type: 'reply', id: 2, result: true });
  worker.notice({ type: 'reply', id: 1, result: { queued: 3 } });
  assert.deepEqual(await stats, { queued: 3 });
  assert.equal(await ping, true);
});

test("an error reply rejects with the worker's code as a stable id", async (t) => {
  const { session, worker } = setUp(t);
  const consent = session.request('consent', { consent: {} });
  worker.notice({ type: 'reply', id: 1, error: { code: 'bad_message', message: "malformed 'consent'" } });
  await assert.rejects(consent, {
    id: 'tep.worker.bad_message',
    message: "[tep.worker.bad_message] malformed 'consent'",
  });
});

test("each action waits for its reply as long as web/deadlines.js says, then rejects with 'no_reply'", async (t) => {
  const { session } = setUp(t);
  const waits = { stats: DEADLINES.replyMs, flush: DEADLINES.flushReplyMs, pageHidden: DEADLINES.pageHiddenReplyMs };
  for (const [action, ms] of Object.entries(waits)) {
    let outcome;
    session.request(action, {}).catch((error) => (outcome = error.id));
    t.mock.timers.tick(ms - 1);
    await flushPromises();
    assert.equal(outcome, undefined, `${action} still waits`);
    t.mock.timers.tick(1);
    await flushPromises();
    assert.equal(outcome, 'tep.worker.no_reply', `${action} gave up at ${ms} ms`);
  }
});

test('closing rejects what waits, stops the worker, runs the close callbacks and ignores later notices', async (t) => {
  const { session, worker, notices } = setUp(t);
  const waiting = session.request('flush', {});
  const reasons = [];
  session.onClose((reason) => reasons.push(reason));
  session.markReady();
  assert.equal(session.isReady(), true);
  session.close('the worker ended');
  session.close('twice');
  await assert.rejects(waiting, { id: 'tep.worker.closed' });
  assert.equal(worker.terminated, true);
  assert.deepEqual(reasons, ['the worker ended']);
  assert.equal(session.isReady(), false);
  worker.notice({ type: 'bus', outage: true });
  assert.deepEqual(notices, []);
  await assert.rejects(session.request('stats', {}), { id: 'tep.worker.closed' });
  session.onClose((reason) => reasons.push(`late: ${reason}`));
  assert.deepEqual(reasons, ['the worker ended', 'late: the worker ended']);
});

test('hand-overs are kept until the worker confirms them stored, in order', (t) => {
  const { session, worker } = setUp(t);
  const blocked = { PERFORMANCE: false, TARGETING: false };
  session.handOver({ events: ['a'], unserialisable: [], blocked }, { stamp: false, urgent: false });
  session.handOver({ events: ['b', 'c'], unserialisable: [], blocked }, { stamp: false, urgent: true });
  session.handOver({ events: ['d'], unserialisable: [], blocked }, { stamp: false, urgent: false });
  assert.deepEqual(
    worker.posted.map((m) => [m.action, m.seq, m.urgent]),
    [
      ['events', 1, false],
      ['events', 2, true],
      ['events', 3, false],
    ],
  );
  worker.notice({ type: 'accepted', seq: 2 });
  assert.deepEqual(
    session.unacknowledged().map((h) => h.events),
    [['d']],
  );
});

test('past the cap the oldest copies go, counted as released', (t) => {
  const { session } = setUp(t);
  const blocked = {};
  const many = Array.from({ length: MAX_UNCONFIRMED_EVENTS - 1 }, (_, i) => String(i));
  session.handOver({ events: many, unserialisable: [], blocked }, { stamp: false, urgent: false });
  session.handOver({ events: ['x'], unserialisable: [], blocked }, { stamp: false, urgent: false });
  assert.equal(session.releasedCopies(), 0, 'at the cap: all kept');
  session.handOver({ events: ['y'], unserialisable: [], blocked }, { stamp: false, urgent: false });
  assert.equal(session.releasedCopies(), MAX_UNCONFIRMED_EVENTS - 1);
  assert.deepEqual(
    session.unacknowledged().map((h) => h.events),
    [['x'], ['y']],
  );
});

test('a purge removes events from the hand-overs not yet stored', (t) => {
  const { session } = setUp(t);
  const ad = JSON.stringify({ name: 'ad', consentCategory: 'TARGETING' });
  session.handOver({ events: [ad, '{"name":"p"}'], unserialisable: [], blocked: {} }, { stamp: false, urgent: false });
  const purge = createPurge(['TARGETING']);
  session.purgeUnacknowledged(purge);
  assert.deepEqual(session.unacknowledged()[0].events, ['{"name":"p"}']);
  assert.equal(purge.refusals()[0].count, 1);
});

test("the worker's question for fresh credentials is answered straight, past events waiting for the provider", async (t) => {
  let answers = 0;
  const { session, worker } = setUp(t, {
    provider: { getCredentials: async (subStatus) => ({ clientId: `c${++answers}`, token: subStatus ?? null }) },
  });
  session.handOver({ events: ['a'], unserialisable: [], blocked: {} }, { stamp: true, urgent: false });
  worker.notice({ type: 'credentials-request', requestId: 7, subStatus: '11003' });
  await flushPromises();
  const credentialsAnswer = worker.posted.find((m) => m.action === 'credentials');
  assert.equal(credentialsAnswer.requestId, 7);
  assert.ok(credentialsAnswer.credentials.token === '11003');
  assert.ok(
    worker.posted.some((m) => m.action === 'events' && m.credentials),
    'the events went stamped',
  );
});

test('a provider slower than the worker waits after a 401 gets no answer posted: the worker went on', async (t) => {
  const { worker } = setUp(t, { provider: { getCredentials: () => new Promise(() => {}) } });
  worker.notice({ type: 'credentials-request', requestId: 1 });
  t.mock.timers.tick(DEADLINES.credentialsAfterRefusalMs);
  await flushPromises();
  assert.deepEqual(worker.posted, []);
});

test('bus and problem notices go to the page; malformed ones are ignored', (t) => {
  const { worker, notices } = setUp(t);
  worker.notice({ type: 'bus', outage: true, reason: 'storage' });
  worker.notice({ type: 'bus', outage: 'yes' });
  worker.notice({ type: 'problem', message: 'm' });
  worker.notice('noise');
  assert.deepEqual(notices, [
    { type: 'bus', outage: true, reason: 'storage' },
    { type: 'problem', message: 'm' },
  ]);
});

test('the leaving batch the worker keeps ready is held, and sent only under the consent it was built with', (t) => {
  const { session, worker, sentLeaving } = setUp(t, { consentSeq: 4 });
  worker.notice({ type: 'leaving', version: 2, consentSeq: 3, body: 'old', url: 'u', token: null });
  assert.equal(
    session.leaving.send(() => {}),
    undefined,
    'built under an older consent',
  );
  worker.notice({ type: 'leaving', version: 3, consentSeq: 4, body: 'b', url: 'u', token: null });
  assert.equal(
    session.leaving.send(() => {}),
    3,
  );
  assert.equal(sentLeaving.length, 1);
  assert.equal(
    session.leaving.send(() => {}),
    undefined,
    'sent once',
  );
});
