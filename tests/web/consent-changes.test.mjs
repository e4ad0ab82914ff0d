// A change of the site's consent on the page, with fake timers and a fake
// session: what was sent before it keeps the consent it was sent under, what
// the page holds of a purged category goes, and a worker that does not
// apply the change is replaced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConsentChanges } from '../../web/consent-changes.js';
import { createHeldEvents } from '../../web/held-events.js';
import { DEADLINES } from '../../web/deadlines.js';

const consent = {
  seq: 2,
  writer: 'w',
  blocked: { PERFORMANCE: false, TARGETING: true },
  purgedBefore: { PERFORMANCE: null, TARGETING: Infinity },
};
const event = (name, consentCategory) => JSON.stringify({ name, consentCategory });

function fakeSession({ ready = true, reply } = {}) {
  const calls = [];
  return {
    calls,
    closed: false,
    isReady: () => ready,
    isClosed() {
      return this.closed;
    },
    request: (action, fields) => (calls.push([action, fields]), reply()),
    purgeUnacknowledged: (purge) => calls.push(['purged', purge.keep([event('ad', 'TARGETING')])]),
    leaving: { forget: () => calls.push(['forget']) },
  };
}

function setUp(t, session) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const held = createHeldEvents();
  const posted = [];
  const ended = [];
  const active = {
    session: () => session,
    ready: () => (session?.isReady() ? session : null),
    postBuffered: (blocked) => posted.push([held.takeBuffer().events.length, blocked]),
    workerEnded: (s) => ended.push(s),
  };
  return { changes: createConsentChanges({ active, held }), held, posted, ended };
}

test('events sent before a change go at once under the consent they were sent with, when a worker is ready', (t) => {
  const session = fakeSession({ reply: () => Promise.resolve() });
  const { changes, held, posted } = setUp(t, session);
  held.add(event('a', 'TARGETING'), { ready: true });
  changes.closeSegment({ TARGETING: false });
  assert.deepEqual(posted, [[1, { TARGETING: false }]]);
});

test('without a ready worker they are held as a segment of their own', (t) => {
  const { changes, held } = setUp(t, null);
  held.add(event('a', 'TARGETING'), { ready: false });
  changes.closeSegment({ TARGETING: false });
  assert.deepEqual(held.takeSegments()[0].blocked, { TARGETING: false });
});

test('a purge reaches what the page holds and what its worker has not stored; the worker is told', async (t) => {
  const session = fakeSession({ reply: () => Promise.resolve() });
  const { changes, held } = setUp(t, session);
  held.add(event('ad', 'TARGETING'), { ready: true });
  held.add(event('play', 'NECESSARY'), { ready: true });
  changes.apply(consent, ['TARGETING']);
  assert.deepEqual(session.calls, [['purged', []], ['forget'], ['consent', { consent }]]);
  const { events, unserialisable } = held.takeBuffer();
  assert.deepEqual(events, [event('play', 'NECESSARY')]);
  assert.deepEqual(
    unserialisable.map((u) => [u.name, u.count]),
    [['ad', 2]],
  );
});

test('a worker that does not answer the change in time is replaced', async (t) => {
  const session = fakeSession({
    reply: () =>
      new Promise((_, reject) =>
        setTimeout(
          () => reject(Object.assign(new Error('no reply'), { id: 'tep.worker.no_reply' })),
          DEADLINES.replyMs,
        ),
      ),
  });
  const { changes, ended } = setUp(t, session);
  const logged = t.mock.method(console, 'error', () => {});
  changes.apply(consent, []);
  t.mock.timers.tick(DEADLINES.replyMs);
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.deepEqual(ended, [session]);
  assert.match(logged.mock.calls[0].arguments[0], /\[tep\.consent\.not_applied\]/);
});

test('a worker that ended meanwhile is not replaced twice, and one not ready yet is not asked', async (t) => {
  const closing = fakeSession({
    reply: () => Promise.reject(Object.assign(new Error('closed'), { id: 'tep.worker.closed' })),
  });
  const { changes, ended } = setUp(t, closing);
  changes.apply(consent, []);
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.deepEqual(ended, []);
  t.mock.timers.reset();
  const starting = fakeSession({ ready: false, reply: () => assert.fail('not asked') });
  setUp(t, starting).changes.apply(consent, []);
  assert.deepEqual(starting.calls, [['forget']]);
});
