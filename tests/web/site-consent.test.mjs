// The site's consent on the page: one per origin, stored at once, heard by
// every tab, the latest change winning; values are checked, null and
// undefined state nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONSENT_STORAGE_KEY, checkBlockedCategories, createSiteConsent } from '../../web/site-consent.js';

/** An origin: one localStorage and one BroadcastChannel name shared by its tabs. */
function createOrigin() {
  const items = new Map();
  const storage = { getItem: (k) => items.get(k) ?? null, setItem: (k, v) => items.set(k, String(v)) };
  const channels = new Set();
  const openChannel = () => {
    const listeners = [];
    const channel = {
      postMessage(data) {
        // Another tab's channel hears it in a later task; the sender does not.
        const copy = structuredClone(data);
        for (const other of channels)
          if (other !== channel) setImmediate(() => other.listeners.forEach((l) => l({ data: copy })));
      },
      close: () => channels.delete(channel),
      addEventListener: (type, listener) => listeners.push(listener),
      listeners,
    };
    channels.add(channel);
    return channel;
  };
  let clock = 1_000_000;
  const tab = (writer, { mirror = null } = {}) => {
    const heard = [];
    const consent = createSiteConsent({
      onChange: (c, purged) => heard.push({ consent: c, purged }),
      storage,
      openChannel,
      now: () => clock,
      writer,
      mirror,
    });
    return { consent, heard };
  };
  const broadcast = (data) => openChannel().postMessage(data);
  return { items, tab, broadcast, advance: (ms) => (clock += ms), now: () => clock };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('null and undefined state nothing and never stop a change of another category', () => {
  const origin = createOrigin();
  const { consent } = origin.tab('a');
  consent.change({ PERFORMANCE: null, TARGETING: null, NECESSARY: undefined });
  assert.deepEqual(consent.current().blocked, { PERFORMANCE: false, TARGETING: false });
  const purged = consent.change({ TARGETING: true }, { purge: true });
  assert.deepEqual(purged, ['TARGETING']);
  assert.deepEqual(consent.current().blocked, { PERFORMANCE: false, TARGETING: true });
  // A later null leaves the block in place.
  consent.change({ TARGETING: null });
  assert.equal(consent.current().blocked.TARGETING, true);
});

test('0, 1 and strings are refused with the field named', () => {
  for (const bad of [
    { TARGETING: 0 },
    { PERFORMANCE: 1 },
    { TARGETING: 'true' },
    { NECESSARY: 'no' },
    'TARGETING',
    [],
  ]) {
    assert.throws(
      () => checkBlockedCategories(bad),
      (error) => error.name === 'IllegalArgumentError' && error.id === 'tep.config.blockedConsentCategories',
      JSON.stringify(bad),
    );
  }
  const { consent } = createOrigin().tab('a');
  assert.throws(() => consent.change({ TARGETING: 1 }), { id: 'tep.config.blockedConsentCategories' });
  assert.equal(consent.current().seq, 0, 'a refused change changes nothing');
});

test('a change is stored at once and reaches every other tab, which hears what it purged', async () => {
  const origin = createOrigin();
  const first = origin.tab('a');
  const second = origin.tab('b');
  first.consent.change({ TARGETING: true }, { purge: true });
  assert.ok(origin.items.get(CONSENT_STORAGE_KEY), 'stored before the call returns');
  await settle();
  assert.equal(second.heard.length, 1);
  assert.deepEqual(second.heard[0].purged, ['TARGETING']);
  assert.deepEqual(second.consent.current(), first.consent.current());
  // A later visit starts from it.
  const later = origin.tab('c');
  assert.deepEqual(later.consent.current().blocked, { PERFORMANCE: false, TARGETING: true });
  assert.equal(later.consent.current().purgedBefore.TARGETING, Infinity);
});

test('the newest statement wins: a tab opened later with another config changes the site, an older change is ignored', async () => {
  const origin = createOrigin();
  const first = origin.tab('a');
  first.consent.change({ TARGETING: true });
  const later = origin.tab('b');
  // init's config states TARGETING allowed: the newest statement.
  later.consent.change({ TARGETING: false });
  await settle();
  assert.equal(first.consent.current().blocked.TARGETING, false);
  // A change that crossed it, with an older sequence, is not taken.
  const stale = { ...first.consent.current(), seq: 1, writer: 'z', blocked: { PERFORMANCE: true, TARGETING: true } };
  const heardBefore = first.heard.length;
  origin.broadcast({ consent: stale, purged: [] });
  await settle();
  assert.equal(first.heard.length, heardBefore);
  assert.equal(first.consent.current().blocked.PERFORMANCE, false);
  // A config that states nothing new publishes nothing.
  const seq = first.consent.current().seq;
  origin.tab('c').consent.change({ TARGETING: false, PERFORMANCE: null });
  await settle();
  assert.equal(first.consent.current().seq, seq);
});

test('a purged category allowed again keeps what was purged purged, and only that', () => {
  const origin = createOrigin();
  const { consent } = origin.tab('a');
  consent.change({ TARGETING: true }, { purge: true });
  assert.equal(consent.current().purgedBefore.TARGETING, Infinity);
  origin.advance(5000);
  consent.change({ TARGETING: false });
  assert.equal(consent.current().purgedBefore.TARGETING, origin.now());
  // Blocked again without purge: events sent since are kept.
  consent.change({ TARGETING: true });
  assert.equal(consent.current().purgedBefore.TARGETING, origin.now());
});

test('without storage or channels (blocked storage, old browsers) the consent still holds in the tab', () => {
  const consent = createSiteConsent({ onChange: () => {}, storage: null, openChannel: () => null });
  consent.change({ PERFORMANCE: true });
  assert.equal(consent.current().blocked.PERFORMANCE, true);
});

test("the service worker's mirror gets the consent in force at start and every change made or heard, marked as changes, and its failures change nothing", async () => {
  const origin = createOrigin();
  const mirrored = [];
  const mirror = async (consent, { changed }) => {
    mirrored.push({ consent, changed });
    throw new Error('IndexedDB refused');
  };
  const first = origin.tab('a', { mirror });
  // Not a change: the service worker is not woken for every tab that starts.
  assert.deepEqual(mirrored, [{ consent: first.consent.current(), changed: false }], 'at start');
  first.consent.change({ PERFORMANCE: true });
  assert.deepEqual(mirrored.at(-1).consent.blocked, { PERFORMANCE: true, TARGETING: false }, 'a change made here');
  assert.equal(mirrored.at(-1).changed, true);
  const second = origin.tab('b');
  second.consent.change({ TARGETING: true });
  await settle();
  assert.deepEqual(
    mirrored.at(-1),
    { consent: second.consent.current(), changed: true },
    "another tab's change, heard",
  );
  assert.deepEqual(first.consent.current(), second.consent.current());
});
