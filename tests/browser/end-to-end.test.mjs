// The whole path in a real browser: page → worker → wasm core → IndexedDB →
// fetch → reference consumer, across a consumer outage and a page reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { deliveredEvents, producerStats, reloadPage, sendEvents, startProducer } from './producer-page.mjs';
import { tokenFingerprint } from '../../demo/consumer/redaction.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

const initProducer = (page, overrides = {}) =>
  startProducer(page, testConfig(browser.url, overrides), {
    credentials: { clientId: 'e2e-client', token: 'e2e-token' },
  });

const send = (page, name, count) => sendEvents(page, name, count, { extra: { text: 'héllo 🎵' } });

test('events sent on the page arrive at the consumer, enriched and authenticated', async () => {
  const page = await openProducerPage(browser);
  await initProducer(page);
  await send(page, 'e2e_play', 5);
  await page.evaluate(() => window.producer.flush());
  const events = await waitFor(
    async () => {
      const all = await deliveredEvents(browser, 'e2e_play');
      return all.length === 5 && all;
    },
    { what: '5 events at the consumer' },
  );
  const first = events[0];
  assert.equal(first.authenticated, true);
  assert.equal(first.headers['client-id'], 'e2e-client');
  assert.equal(first.headers.authorization, tokenFingerprint('e2e-token'));
  assert.equal(first.headers['app-name'], 'browser-test');
  const body = JSON.parse(first.body);
  assert.equal(body.name, 'e2e_play');
  assert.equal(body.payload.text, 'héllo 🎵');
  assert.equal(body.uuid, first.id);
  await page.close();
});

test('stored events survive a reload while the consumer is down and arrive when it is back, with the outage on the bus', async () => {
  let page = await openProducerPage(browser);
  await initProducer(page);
  await browser.control({ mode: 'down' });
  await send(page, 'e2e_offline', 7);
  await waitFor(() => page.evaluate(() => window.busLog.includes('OutageStartError')), { what: 'OutageStartError' });
  const stats = await producerStats(page);
  assert.equal(stats.queued, 7);
  assert.equal(stats.persistent, true);
  await page.evaluate(() => window.producer.flush());

  await reloadPage(page);
  await initProducer(page);
  // init answers once the store is open, before the core restores the queue:
  // what the page asks from then on waits for the restore.
  assert.equal((await producerStats(page)).queued, 7);
  // The restored queue's outage follows on the bus.
  await waitFor(() => page.evaluate(() => window.producer.isOutage()), { what: 'the persisted outage, restored' });
  await browser.control({ mode: 'up' });
  await waitFor(async () => (await deliveredEvents(browser, 'e2e_offline')).length === 7, {
    what: 'the 7 stored events at the consumer',
    timeoutMs: 30000,
  });
  await waitFor(() => page.evaluate(() => window.busLog.includes('OutageEndMessage')), { what: 'OutageEndMessage' });
  await page.close();
});

test('malformed events neither throw into the page nor stop the worker, and are counted', async () => {
  const page = await openProducerPage(browser);
  await initProducer(page, { strictMode: false });
  const thrown = await page.evaluate(() => {
    const errors = [];
    const cyclic = { name: 'cyclic', consentCategory: 'NECESSARY', payload: {} };
    cyclic.payload.self = cyclic;
    const bad = [
      undefined,
      null,
      42,
      'text',
      [],
      {},
      { name: 'no_category', payload: {} },
      { name: 'unknown_category', consentCategory: 'SOMETIMES', payload: {} },
      { name: 'big', consentCategory: 'NECESSARY', payload: { s: 'x'.repeat(30000) } },
      { name: 'surrogate', consentCategory: 'NECESSARY', payload: { s: '\ud800' } },
      { name: 'control', consentCategory: 'NECESSARY', payload: { s: '\u0001' } },
      { name: 'bigint', consentCategory: 'NECESSARY', payload: { n: 10n } },
      cyclic,
    ];
    for (const event of bad) {
      try {
        window.producer.sendEvent(event);
      } catch (e) {
        errors.push(String(e));
      }
    }
    window.producer.sendEvent({ name: 'after_bad', consentCategory: 'NECESSARY', payload: {} });
    return errors;
  });
  assert.deepEqual(thrown, []);
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await browser.consumerEvents()).some((e) => e.name === 'after_bad'), {
    what: 'the good event after the bad ones',
  });
  const { counters } = await page.evaluate(() => window.producer.getStats());
  assert.equal(counters.consentFilteredEvents.no_category, 1);
  assert.equal(counters.consentFilteredEvents.unknown_category, 1);
  assert.equal(counters.validationFailedEvents.big, 1);
  assert.equal(counters.validationFailedEvents.surrogate, 1);
  assert.equal(counters.validationFailedEvents.control, 1);
  assert.equal(counters.validationFailedEvents.bigint, 1);
  assert.equal(counters.validationFailedEvents.cyclic, 1);
  assert.equal(counters.validationFailedEvents['(unnamed)'], 6);
  await page.close();
});

test('events sent before init resolves are held and delivered once it does', async () => {
  const page = await openProducerPage(browser);
  await page.evaluate((config) => {
    config.credentialsProvider = { bus: () => {}, getCredentials: async () => ({ clientId: 'early' }) };
    for (let i = 0; i < 3; i++)
      window.producer.sendEvent({ name: 'early_bird', consentCategory: 'NECESSARY', payload: { i } });
    window.initDone = window.producer.init(config);
  }, testConfig(browser.url));
  await page.evaluate(() => window.initDone);
  await page.evaluate(() => window.producer.flush());
  const events = await waitFor(
    async () => {
      const early = await deliveredEvents(browser, 'early_bird');
      return early.length === 3 && early;
    },
    { what: 'the 3 events sent before init' },
  );
  assert.equal(events[0].authenticated, false, 'no token: the public endpoint');
  await page.close();
});
