// The service worker's delivery (worker/stored-delivery.js) over a stand-in
// producer: it starts the producer once with what the pages left, asks it
// to deliver, and fails (for the browser to wake it again) while events or
// other tabs' stores are left.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createStoredDelivery } from '../../worker/stored-delivery.js';

const consent = { seq: 2, writer: 'w', blocked: { PERFORMANCE: false, TARGETING: false }, purgedBefore: {} };
const handoff = { config: { core: { appName: 'a' }, tlPublicConsumerUri: 'https://c/public' }, consent };

/** A producer that answers each request with `answers[action]` (a function of the request, or a value). */
function setUp({ answers = {}, stores = ['/tep-store-service-worker'], left = handoff, writeMirror } = {}) {
  const requests = [];
  const mirrored = [];
  const warnings = [];
  let delivery;
  const answer = (request) => {
    const result =
      typeof answers[request.action] === 'function' ? answers[request.action](request) : answers[request.action];
    if (result instanceof Error)
      delivery.hear({ type: 'reply', id: request.id, error: { code: 'x', message: result.message } });
    else delivery.hear({ type: 'reply', id: request.id, result });
  };
  delivery = createStoredDelivery({
    toProducer: ({ data }) => (requests.push(data), queueMicrotask(() => answer(data))),
    readHandoff: async () => left,
    writeMirror: writeMirror ?? (async (written) => void mirrored.push(written)),
    storePaths: async () => stores,
    storePathOf: (id) => `/tep-store-${id}`,
    warn: (text) => warnings.push(text),
  });
  return { delivery, requests, mirrored, warnings };
}

const delivered = { queued: 0, heldByConsent: 0, lastError: null };

test('the producer starts on its own store, logged out, with the public endpoint for both, and delivers', async () => {
  const { delivery, requests } = setUp({ answers: { init: { storeId: 'service-worker' }, deliverStored: delivered } });
  await delivery.deliverOnce();
  assert.deepEqual(
    requests.map((request) => request.action),
    ['init', 'deliverStored'],
  );
  assert.deepEqual(requests[0].config, {
    core: { appName: 'a' },
    tlConsumerUri: 'https://c/public',
    tlPublicConsumerUri: 'https://c/public',
  });
  assert.equal(requests[0].credentials, null);
  assert.equal(requests[0].storeId, 'service-worker');
});

test('a later wake-up gives the running producer the latest consent instead of starting it again', async () => {
  const { delivery, requests } = setUp({ answers: { init: { storeId: 'service-worker' }, deliverStored: delivered } });
  await delivery.deliverOnce();
  await delivery.deliverOnce();
  assert.deepEqual(
    requests.map((request) => request.action),
    ['init', 'deliverStored', 'consent', 'deliverStored'],
  );
});

test('events left unsent, or stores other tabs hold, fail the delivery so the browser tries again', async () => {
  const unsent = setUp({
    answers: {
      init: { storeId: 'service-worker' },
      deliverStored: { queued: 3, heldByConsent: 1, lastError: 'HTTP 503' },
    },
  });
  await assert.rejects(unsent.delivery.deliverOnce(), /2 stored events not delivered yet \(HTTP 503\)/);
  const held = setUp({
    answers: { init: { storeId: 'service-worker' }, deliverStored: delivered },
    stores: ['/tep-store-service-worker', '/tep-store-open-tab'],
  });
  await assert.rejects(held.delivery.deliverOnce(), /1 stores are still held by open tabs/);
});

test('a wake-up during a delivery joins it; a failed start is tried again on the next', async () => {
  let inits = 0;
  const { delivery, requests } = setUp({
    answers: {
      init: () => (++inits === 1 ? new Error('no store could be claimed') : { storeId: 'service-worker' }),
      deliverStored: delivered,
    },
  });
  const first = delivery.deliverOnce();
  assert.equal(delivery.deliverOnce(), first);
  await assert.rejects(first, /no store could be claimed/);
  await delivery.deliverOnce();
  assert.deepEqual(
    requests.map((request) => request.action),
    ['init', 'init', 'deliverStored'],
  );
});

test('before any page opted in nothing is started', async () => {
  const { delivery, requests } = setUp({ left: { config: null, consent: null } });
  await delivery.deliverOnce();
  assert.deepEqual(requests, []);
});

/** A site consent as a tab broadcasts it: `seq`, PERFORMANCE blocked or not. */
const broadcast = (seq, performanceBlocked) => ({
  seq,
  writer: 'tab',
  blocked: { PERFORMANCE: performanceBlocked, TARGETING: false },
  purgedBefore: { PERFORMANCE: null, TARGETING: null },
});

test('a change of consent a tab broadcasts during a delivery reaches the running producer at once', async () => {
  let finishDelivery;
  const { delivery, requests } = setUp({
    answers: {
      init: { storeId: 'service-worker' },
      deliverStored: () => new Promise((resolve) => (finishDelivery = resolve)),
      consent: {},
    },
  });
  const delivering = delivery.deliverOnce();
  await new Promise((resolve) => setTimeout(resolve, 0));
  delivery.hearConsent(broadcast(3, true));
  delivery.hearConsent(broadcast(3, false)); // not newer: ignored
  delivery.hearConsent({ seq: 'x' }); // not a consent: ignored
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(
    requests.map((request) => request.action),
    ['init', 'deliverStored', 'consent'],
  );
  assert.deepEqual(requests[2].consent, broadcast(3, true));
  finishDelivery?.(delivered);
  await delivering;
});

test('a delivery that starts after a broadcast newer than the mirror starts under the broadcast consent', async () => {
  const { delivery, requests } = setUp({ answers: { init: { storeId: 'service-worker' }, deliverStored: delivered } });
  delivery.hearConsent(broadcast(1, true)); // older than the mirror's (seq 2): the mirror's holds
  await delivery.deliverOnce();
  assert.deepEqual(requests[0].consent, consent);

  const later = setUp({ answers: { init: { storeId: 'service-worker' }, deliverStored: delivered } });
  later.delivery.hearConsent(broadcast(5, true));
  await later.delivery.deliverOnce();
  assert.deepEqual(later.requests[0].consent, broadcast(5, true));
});

test('a change of consent a tab posts is mirrored for the next wake-up, newer ones only, and a failed write is reported', async () => {
  const { delivery, requests, mirrored } = setUp();
  await delivery.hearConsent(broadcast(3, true));
  await delivery.hearConsent(broadcast(3, false)); // not newer: neither applied nor written
  await delivery.hearConsent({ seq: 'x' }); // not a consent
  assert.deepEqual(mirrored, [broadcast(3, true)]);
  assert.deepEqual(requests, [], 'no producer runs: nothing is started for a change of consent');

  const failing = setUp({
    writeMirror: async () => {
      throw new Error('the quota is full');
    },
  });
  await failing.delivery.hearConsent(broadcast(4, true));
  assert.deepEqual(failing.warnings, [
    'event-producer service worker: a change of consent not applied: the quota is full',
  ]);
});
