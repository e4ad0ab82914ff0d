// The tabs of an origin share the outage state, and it can't stick: a tab
// that heard of an outage from another tab, which then closed, ends it on its
// own next confirmed delivery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { producerStats, sendEvents, startProducer } from './producer-page.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

test('an outage started by a tab that then closed ends in the other tab on its next delivery', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const failing = await openProducerPage(browser);
  const listening = await openProducerPage(browser);
  // The listening tab sends nothing while the collector fails: it only hears of the outage.
  await startProducer(listening, testConfig(browser.url));
  await startProducer(failing, testConfig(browser.url));
  await sendEvents(failing, 'shared_outage', 10);
  await failing.evaluate(() => window.producer.flush());
  await waitFor(() => listening.evaluate(() => window.producer.isOutage()), {
    what: 'the outage heard in the other tab',
  });
  await failing.close();

  await browser.control({ mode: 'up' });
  await listening.evaluate(() => {
    window.producer.sendEvent({ name: 'shared_outage_after', consentCategory: 'NECESSARY', payload: {} });
    return window.producer.flush();
  });
  await waitFor(() => listening.evaluate(() => !window.producer.isOutage()), {
    what: 'the outage ended in the remaining tab',
  });
  assert.deepEqual(await listening.evaluate(() => window.busLog), ['OutageStartError', 'OutageEndMessage']);
  await listening.close();
});

test('a tab whose queue is full tells its own page, not the other tabs, and not as a delivery outage', async () => {
  await browser.control({ mode: 'up' });
  const full = await openProducerPage(browser);
  const other = await openProducerPage(browser);
  const errorCodes = (page) =>
    page.evaluate(() => {
      window.codes = [];
      window.producer.bus((event) => window.codes.push(event.detail.errorCode ?? event.detail.name));
    });
  await errorCodes(full);
  await errorCodes(other);
  await startProducer(other, testConfig(browser.url));
  // A batch interval longer than the test: only full batches of ten go.
  await startProducer(full, testConfig(browser.url, { eventBatchInterval: 600000, maxDiskUsageBytes: 16 * 1024 }));
  await sendEvents(full, 'fills_the_queue', 100, { extra: { pad: 'x'.repeat(400) } });
  await waitFor(() => full.evaluate(() => window.codes.length > 0), { what: 'the full tab hears of its outage' });
  // Its batches of ten still go, so the queue drains and the outage may end.
  const heard = await full.evaluate(() => window.codes);
  assert.equal(heard[0], 'storage');
  assert.ok(!heard.includes('1'), `not a delivery outage: ${heard}`);
  const dropped = (await producerStats(full)).counters;
  assert.ok(JSON.stringify(dropped).includes('fills_the_queue'), 'the dropped events are counted');
  // The other tab goes on delivering and hears of no outage.
  await other.evaluate(() => {
    window.producer.sendEvent({ name: 'other_tab', consentCategory: 'NECESSARY', payload: {} });
    return window.producer.flush();
  });
  await new Promise((resolve) => setTimeout(resolve, 300)); // a broadcast would have arrived by now
  assert.deepEqual(await other.evaluate(() => window.codes), []);
  assert.equal(await other.evaluate(() => window.producer.isOutage()), false);
  await full.close();
  await other.close();
});

// Retries at the longest come a minute apart here, and the batch interval is short.
const backoffConfig = () => testConfig(browser.url, { eventBatchInterval: 100, maxBackoffMs: 600000 });

/** Six failed attempts for `page`'s event `name`: its next retry is 32 s to a minute away. */
async function sixFailuresInto(page, name) {
  await page.evaluate(async (name) => {
    window.producer.sendEvent({ name, consentCategory: 'NECESSARY', payload: {} });
    for (let attempt = 0; attempt < 6; attempt++) await window.producer.flush().catch(() => {});
  }, name);
}

/** `page` gets an event through, then the event `waitingName` must arrive long before its backoff ends. */
async function deliveryEndsTheWait(page, waitingName) {
  await browser.control({ mode: 'up' });
  await page.evaluate(() => {
    window.producer.sendEvent({ name: 'gets_through', consentCategory: 'NECESSARY', payload: {} });
    return window.producer.flush();
  });
  await waitFor(async () => (await browser.consumerEvents()).some((e) => e.name === waitingName), {
    what: "the waiting tab's event, long before its backoff ends",
    timeoutMs: 10000,
  });
}

test('when another tab gets a delivery through, a tab in a long backoff retries at once', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const waiting = await openProducerPage(browser);
  const other = await openProducerPage(browser);
  await startProducer(waiting, backoffConfig());
  await startProducer(other, backoffConfig());
  await sixFailuresInto(waiting, 'waiting_out_backoff');
  await deliveryEndsTheWait(other, 'waiting_out_backoff');
  await waiting.close();
  await other.close();
});

test('a tab opened during an outage hears of it, and its first delivery ends the backoff of the tab that started it', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const waiting = await openProducerPage(browser);
  await startProducer(waiting, backoffConfig());
  await sixFailuresInto(waiting, 'waiting_before_new_tab');
  // The outage started before this tab existed.
  const opened = await openProducerPage(browser);
  await startProducer(opened, backoffConfig());
  await waitFor(() => opened.evaluate(() => window.producer.isOutage()), {
    what: 'the outage heard in the tab opened after it started',
  });
  await deliveryEndsTheWait(opened, 'waiting_before_new_tab');
  await waiting.close();
  await opened.close();
});

test("a forged end of the outage on the tabs' channel ends no tab's own outage, and makes it retry once at most", async () => {
  await browser.control({ mode: 'error', status: 503 });
  const page = await openProducerPage(browser);
  await startProducer(page, backoffConfig());
  await sixFailuresInto(page, 'forged_end');
  await waitFor(() => page.evaluate(() => window.busLog.includes('OutageStartError')), {
    what: 'the outage on the bus',
  });
  const requestsBefore = (await browser.consumerStats()).requests;
  // Another script of the origin, posing as a tab whose delivery got through.
  await page.evaluate(async () => {
    const channel = new BroadcastChannel('tep-outage');
    for (let i = 0; i < 5; i++) {
      channel.postMessage({ outage: false, from: '/tep-store-forged' });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    channel.close();
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(await page.evaluate(() => window.busLog), ['OutageStartError']);
  assert.equal(await page.evaluate(() => window.producer.isOutage()), true);
  const retries = (await browser.consumerStats()).requests - requestsBefore;
  assert.ok(retries <= 1, `${retries} retries for 5 forged messages`);
  await page.close();
});
