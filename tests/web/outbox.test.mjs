// The page's outbox with fake timers: events wait for the provider's answer
// and are stamped with it, messages behind them keep their order, a slow or
// failing provider never holds events longer than the cap, and a page going
// away releases everything at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOutbox, EVENT_CREDENTIALS_TIMEOUT_MS } from '../../web/outbox.js';
import { createCredentials } from '../../web/credentials.js';

/** An outbox whose provider is `provider` (none if undefined), and what it posted. */
function setUp(provider, { isOpen } = {}) {
  const posted = [];
  const credentials = createCredentials({ provider: () => provider, onRefused: () => {} });
  const outbox = createOutbox({ post: (message) => posted.push(message), isOpen, credentials });
  return { outbox, posted };
}

const flushPromises = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test("events go stamped with the provider's answer, and what was sent after them follows in order", async () => {
  let answer;
  let asked = 0;
  const { outbox, posted } = setUp({ getCredentials: () => (asked++, new Promise((resolve) => (answer = resolve))) });
  outbox.sendStamped({ action: 'events', events: ['a'] });
  outbox.send({ action: 'consent' });
  outbox.sendStamped({ action: 'events', events: ['b'] }); // behind the ask: not asked again
  assert.equal(asked, 1);
  assert.deepEqual(posted, [], 'nothing passes the ask');
  answer({ clientId: 'c', token: 't', extra: 'not sent' });
  await flushPromises();
  assert.deepEqual(
    posted.map((m) => m.action),
    ['events', 'consent', 'events'],
  );
  assert.deepEqual(posted[0].credentials, { clientId: 'c', token: 't' });
  assert.equal(posted[2].credentials, undefined);
});

test('a provider slower than the cap: the events go with the last credentials known', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { outbox, posted } = setUp({ getCredentials: () => new Promise(() => {}) });
  outbox.sendStamped({ action: 'events', events: ['a'] });
  t.mock.timers.tick(EVENT_CREDENTIALS_TIMEOUT_MS - 1);
  await flushPromises();
  assert.deepEqual(posted, []);
  t.mock.timers.tick(1);
  await flushPromises();
  assert.equal(posted.length, 1);
  assert.equal(posted[0].credentials, undefined, 'no stamp: the worker keeps the last known');
});

test('a provider that throws or rejects does not hold the events', async () => {
  for (const getCredentials of [
    () => {
      throw new Error('sync');
    },
    () => Promise.reject(new Error('async')),
  ]) {
    const { outbox, posted } = setUp({ getCredentials });
    outbox.sendStamped({ action: 'events', events: ['a'] });
    await flushPromises();
    assert.equal(posted.length, 1);
    assert.equal(posted[0].credentials, undefined);
  }
});

test('release posts everything held at once, and the late answer changes nothing', async () => {
  let answer;
  const { outbox, posted } = setUp({ getCredentials: () => new Promise((resolve) => (answer = resolve)) });
  outbox.sendStamped({ action: 'events', events: ['a'] });
  outbox.send({ action: 'pageHidden' });
  outbox.release();
  assert.deepEqual(
    posted.map((m) => m.action),
    ['events', 'pageHidden'],
  );
  answer({ clientId: 'late', token: 'late' });
  await flushPromises();
  assert.equal(posted.length, 2);
  assert.equal(posted[0].credentials, undefined);
});

test('without a provider events go at once', () => {
  const { outbox, posted } = setUp(undefined);
  outbox.sendStamped({ action: 'events', events: ['a'] });
  assert.equal(posted.length, 1);
});

test('a closed session drops what was held instead of posting to a gone worker', async () => {
  let open = true;
  const { outbox, posted } = setUp(
    { getCredentials: async () => ({ clientId: 'c', token: 't' }) },
    { isOpen: () => open },
  );
  outbox.sendStamped({ action: 'events', events: ['a'] });
  open = false;
  await flushPromises();
  assert.deepEqual(posted, []);
});
