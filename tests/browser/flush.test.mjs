// flush() and shutdown() always answer: during a storage outage they settle
// with the failure in the stats rather than waiting for the quota to free
// up, and with a deep queue against a slow collector flush() answers before
// the page would give up waiting, leaving the rest to the scheduler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, testConfig, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { setQuotaFull } from './storage-fault-switches.mjs';

let browser;
before(async () => {
  browser = await openBrowserUnderTest();
});
after(async () => {
  await browser?.close();
});

/** Runs `call` ('flush' or 'shutdown') in the page: { settled: 'resolved' | 'rejected', error? }. */
function settle(page, call) {
  return page.evaluate(
    (call) =>
      window.producer[call]().then(
        () => ({ settled: 'resolved' }),
        (error) => ({ settled: 'rejected', error: String(error.message) }),
      ),
    call,
  );
}

test('during a storage outage flush and shutdown resolve, and the stats say the events are not durable', async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  await page.evaluate(
    (config) => window.producer.init(config),
    testConfig(browser.url, { workerUrl: '/tests/browser/pages/storage-faults-worker.js', eventBatchInterval: 600000 }),
  );
  await setQuotaFull(page, true);
  await page.evaluate(() => {
    for (let i = 0; i < 5; i++)
      window.producer.sendEvent({ name: 'flush_quota', consentCategory: 'NECESSARY', payload: { i } });
  });
  assert.deepEqual(await settle(page, 'flush'), { settled: 'resolved' });
  const stats = await page.evaluate(() => window.producer.getStats());
  assert.equal(stats.durable, false);
  assert.ok(stats.storageError, 'the failed write is named');
  assert.equal(stats.queued, 5, 'nothing dropped');
  assert.deepEqual(await settle(page, 'shutdown'), { settled: 'resolved' });
  await page.close();
});

test('with a deep queue against a slow collector flush resolves before the page stops waiting, and the rest is delivered later', async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  await page.evaluate(
    (config) => window.producer.init(config),
    testConfig(browser.url, { eventBatchInterval: 600000 }),
  );
  await page.evaluate(() => {
    for (let i = 0; i < 300; i++)
      window.producer.sendEvent({ name: 'flush_slow', consentCategory: 'NECESSARY', payload: { i } });
  });
  await waitFor(() => page.evaluate(() => window.producer.getStats().then((s) => s.queued === 300 && s.durable)), {
    what: '300 events durable',
  });
  // 30 batches of 10, each answered after 2 s: 60 s of sending, twice the page's wait.
  await browser.control({ mode: 'slow', delayMs: 2000 });
  assert.deepEqual(await settle(page, 'flush'), { settled: 'resolved' });
  const after = await page.evaluate(() => window.producer.getStats());
  assert.ok(
    after.delivered > 0 && after.queued > 0,
    `flush answered part-way (${after.delivered} delivered, ${after.queued} queued)`,
  );
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await browser.consumerEvents()).filter((e) => e.name === 'flush_slow').length >= 300, {
    what: 'all 300 events at the consumer',
    timeoutMs: 60000,
  });
  await page.close();
});

test('flush after the collector came back delivers everything queued, even when a request sent during the outage fails after it was called', async () => {
  await browser.control({ mode: 'hang' });
  const page = await openProducerPage(browser);
  await page.evaluate(
    (config) => window.producer.init(config),
    testConfig(browser.url, { eventBatchInterval: 600000 }),
  );
  const send = (from, count) =>
    page.evaluate(
      ({ from, count }) => {
        for (let i = from; i < from + count; i++)
          window.producer.sendEvent({ name: 'flush_after_outage', consentCategory: 'NECESSARY', payload: { i } });
      },
      { from, count },
    );
  // A full batch goes at once, and hangs until the request's 10 s timeout.
  await send(0, 10);
  await waitFor(() => page.evaluate(() => window.producer.getStats().then((s) => s.inFlightBatches === 1)), {
    what: 'the batch in flight',
  });
  await browser.control({ mode: 'up' });
  await send(10, 3);
  assert.deepEqual(await settle(page, 'flush'), { settled: 'resolved' });
  const stats = await page.evaluate(() => window.producer.getStats());
  assert.equal(stats.queued, 0, `all sent by flush (${stats.delivered} delivered, ${stats.queued} queued)`);
  const seqs = new Set(
    (await browser.consumerEvents())
      .filter((e) => e.name === 'flush_after_outage')
      .map((e) => JSON.parse(e.body).payload.i),
  );
  assert.equal(seqs.size, 13);
  await page.close();
});
