// The real worker against the reference consumer's faults: nothing is lost,
// the outage bus says what happened, Retry-After and the timeout are honoured.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testConfig, waitFor } from './harness.mjs';
import { deliveredEvents, producerStats, sendEvents, startedPage, waitForStats } from './producer-page.mjs';
import { openBrowserUnderTest } from './engines.mjs';

let browser;
let page;
before(async () => {
  browser = await openBrowserUnderTest();
  page = await startedPage(
    browser,
    testConfig(browser.url, { eventBatchInterval: 1000, monitoringInterval: 3600000 }),
    { credentials: { clientId: 'retry', token: 't' } },
  );
});
after(async () => {
  await browser?.close();
});

const send = (name, count) => sendEvents(page, name, count);
const arrived = async (name) => (await deliveredEvents(browser, name)).length;
const busLog = () => page.evaluate(() => window.busLog.slice());
const clearBus = () =>
  page.evaluate(() => {
    window.busLog.length = 0;
  });

async function requestsFor(name) {
  const { requests } = await (await fetch(`${browser.url}consumer/requests?limit=200`)).json();
  return requests.filter(
    (r) =>
      r.body.includes(encodeURIComponent(name)) ||
      new URLSearchParams(r.body).get('SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue') === name,
  );
}

test('a 5xx storm raises the outage, loses nothing, and the first delivery ends it', async () => {
  await clearBus();
  await browser.control({ mode: 'error', status: 503 });
  await send('storm', 10);
  await waitFor(async () => (await busLog()).includes('OutageStartError'), { what: 'OutageStartError' });
  assert.equal(await page.evaluate(() => window.producer.isOutage()), true);
  await browser.control({ mode: 'up' });
  await waitFor(async () => (await arrived('storm')) === 10, { what: '10 events after the storm', timeoutMs: 30000 });
  await waitFor(async () => (await busLog()).includes('OutageEndMessage'), { what: 'OutageEndMessage' });
  assert.deepEqual(await busLog(), ['OutageStartError', 'OutageEndMessage']);
  assert.equal(await page.evaluate(() => window.producer.isOutage()), false);
});

test('429 with Retry-After holds the retry until the time the consumer asked for', async () => {
  await browser.control({ mode: 'throttle', retryAfterSeconds: 2, count: 1 });
  await send('throttled', 10);
  await waitFor(async () => (await arrived('throttled')) === 10, { what: 'the throttled events', timeoutMs: 30000 });
  const requests = await requestsFor('throttled');
  const refused = requests.find((r) => r.status === 429);
  const accepted = requests.find((r) => r.status === 200);
  assert.ok(refused && accepted);
  assert.ok(
    accepted.receivedAt - refused.receivedAt >= 1900,
    `retried after ${accepted.receivedAt - refused.receivedAt} ms`,
  );
});

test('a 200 that confirms nothing is an outage, not a resend loop', async () => {
  await clearBus();
  await browser.control({ mode: 'unrelated' });
  await send('portal', 10);
  await waitFor(async () => (await busLog()).includes('OutageStartError'), { what: 'OutageStartError' });
  await new Promise((r) => setTimeout(r, 1500));
  const attempts = (await requestsFor('portal')).length;
  // Backoff from 100 ms doubling up to the 1 s batch interval: a handful of
  // tries in 1.5 s, not hundreds.
  assert.ok(attempts <= 8, `${attempts} attempts in 1.5 s`);
  await browser.control({ mode: 'up' });
  await waitFor(async () => (await arrived('portal')) === 10, { what: 'the portal events', timeoutMs: 30000 });
  await waitFor(async () => (await busLog()).includes('OutageEndMessage'), { what: 'OutageEndMessage' });
});

test("entries the consumer refuses as the sender's fault are dropped and counted", async () => {
  await browser.control({ mode: 'senderFault', senderFaultRate: 1, count: 1 });
  await send('refused', 10);
  await page.evaluate(() => window.producer.flush());
  const stats = await waitForStats(
    page,
    (s) => s.counters.validationFailedEvents.refused === 10,
    '10 refused events counted',
  );
  assert.equal(stats.queued, 0);
  assert.equal(await arrived('refused'), 0);
});

test('a request that hangs is aborted after 10 s and its events are sent again', async () => {
  await browser.control({ mode: 'hang', count: 1 });
  const started = Date.now();
  await send('hung', 10);
  await waitFor(async () => (await arrived('hung')) === 10, { what: 'the events after the hang', timeoutMs: 30000 });
  assert.ok(Date.now() - started >= 9500, 'not before the 10 s timeout');
});

test('offline pauses sending and online sends at once', async () => {
  // In WebKit the page gets the browser's offline signal with the network
  // still up (tests/browser/engines/webkit.mjs): nothing may be sent then either.
  await browser.setOffline(true);
  await send('offline', 10);
  await new Promise((r) => setTimeout(r, 800));
  const whileOffline = await producerStats(page);
  assert.equal(whileOffline.online, false);
  assert.equal(whileOffline.queued, 10);
  await browser.setOffline(false);
  const back = Date.now();
  await waitFor(async () => (await arrived('offline')) === 10, { what: 'the offline events', timeoutMs: 15000 });
  assert.ok(Date.now() - back < 5000);
});
