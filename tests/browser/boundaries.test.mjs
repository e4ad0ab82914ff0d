// What crosses a boundary is checked before it is acted upon: messages posted
// to the worker that are not the page's protocol (web/protocol.js), and
// messages on the tabs' BroadcastChannel that no producer sent, are ignored
// and counted; they change no state and throw nowhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';

const browser = sharedBrowser(openBrowser);

// Each is posted to the worker as another script of the page could.
const MALFORMED_REQUESTS = [
  null,
  42,
  'events',
  [],
  {},
  { action: 'nope' },
  { action: 'constructor' },
  { action: '__proto__' },
  { action: 'toString', id: 'x' },
  { action: 'events', events: [1, 2] },
  { action: 'events', events: 'not a list' },
  { action: 'events', events: [], unserialisable: [{ problem: 5 }] },
  { action: 'events', events: [], credentials: { token: 7 } },
  { action: 'consent', blocked: 'PERFORMANCE', purge: true },
  { action: 'consent', blocked: { PERFORMANCE: 'yes' }, purge: true },
  { action: 'online', online: 'no' },
  { action: 'credentials', requestId: -1, credentials: { token: 'stolen' } },
  { action: 'init', config: null },
];

// Each is posted on the channel the workers share outage transitions on.
const SPOOFED_OUTAGES = [
  null,
  'outage',
  { outage: true },
  { outage: 'true', from: '/tep-store-x' },
  { outage: true, from: 'not-a-store' },
  { outage: true, from: 42 },
];

test('malformed messages to the worker and spoofed outage messages change nothing, throw nowhere, and are counted', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  await page.evaluate(
    (config) => window.producer.init(config),
    testConfig(browser.url, {
      blockedConsentCategories: { NECESSARY: false, PERFORMANCE: false, TARGETING: true },
    }),
  );
  const before = await page.evaluate(() => window.producer.getStats());

  await page.evaluate(
    ({ requests, outages }) => {
      for (const message of requests) window.workers[0].postMessage(message);
      const channel = new BroadcastChannel('tep-outage');
      for (const message of outages) channel.postMessage(message);
      channel.close();
    },
    { requests: MALFORMED_REQUESTS, outages: SPOOFED_OUTAGES },
  );

  const expected = before.rejectedMessages + MALFORMED_REQUESTS.length + SPOOFED_OUTAGES.length;
  const stats = await waitFor(
    () => page.evaluate((n) => window.producer.getStats().then((s) => (s.rejectedMessages >= n ? s : null)), expected),
    { what: `${expected} rejected messages counted` },
  );
  assert.equal(stats.rejectedMessages, expected);
  assert.equal(await page.evaluate(() => window.producer.isOutage()), false, 'no outage from a spoofed message');
  assert.deepEqual(await page.evaluate(() => window.busLog), []);

  // Consent is still as configured: TARGETING blocked, PERFORMANCE allowed.
  await page.evaluate(() => {
    for (let i = 0; i < 3; i++) {
      window.producer.sendEvent({ name: 'boundary_performance', consentCategory: 'PERFORMANCE', payload: { i } });
      window.producer.sendEvent({ name: 'boundary_targeting', consentCategory: 'TARGETING', payload: { i } });
    }
  });
  await page.evaluate(() => window.producer.flush());
  await waitFor(
    async () => (await browser.consumerEvents()).filter((e) => e.name === 'boundary_performance').length === 3,
    {
      what: 'the worker still delivering',
    },
  );
  const delivered = await browser.consumerEvents();
  assert.equal(delivered.filter((e) => e.name === 'boundary_targeting').length, 0, 'blocked consent stays blocked');
  assert.deepEqual(browser.pageErrors, []);
  await page.close();
});
