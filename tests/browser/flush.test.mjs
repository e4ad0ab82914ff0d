// flush() and shutdown() always answer: during a storage outage they settle
// with the failure in the stats rather than waiting for the quota to free
// up, and with a deep queue against a slow collector flush() answers before
// the page would give up waiting, leaving the rest to the scheduler.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { deliveredNumbers, producerStats, sendEvents, startedPage, waitForStats } from './producer-page.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { setQuotaFull } from './storage-fault-switches.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

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
  const page = await startedPage(
    browser,
    testConfig(browser.url, { workerUrl: '/tests/browser/pages/storage-faults-worker.js', eventBatchInterval: 600000 }),
  );
  await setQuotaFull(page, true);
  await sendEvents(page, 'flush_quota', 5);
  assert.deepEqual(await settle(page, 'flush'), { settled: 'resolved' });
  const stats = await producerStats(page);
  assert.equal(stats.durable, false);
  assert.ok(stats.storageError, 'the failed write is named');
  assert.equal(stats.queued, 5, 'nothing dropped');
  assert.deepEqual(await settle(page, 'shutdown'), { settled: 'resolved' });
  await page.close();
});

test('with a deep queue against a slow collector flush resolves before the page stops waiting, and the rest is delivered later', async () => {
  await browser.control({ mode: 'down' });
  const page = await startedPage(browser, testConfig(browser.url, { eventBatchInterval: 600000 }));
  await sendEvents(page, 'flush_slow', 300);
  await waitForStats(page, (s) => s.queued === 300 && s.durable, '300 events durable');
  // 30 batches of 10, each answered after 2 s: 60 s of sending, twice the page's wait.
  await browser.control({ mode: 'slow', delayMs: 2000 });
  assert.deepEqual(await settle(page, 'flush'), { settled: 'resolved' });
  const after = await producerStats(page);
  assert.ok(
    after.delivered > 0 && after.queued > 0,
    `flush answered part-way (${after.delivered} delivered, ${after.queued} queued)`,
  );
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await deliveredNumbers(browser, 'flush_slow')).length >= 300, {
    what: 'all 300 events at the consumer',
    timeoutMs: 60000,
  });
  await page.close();
});

test('flush after the collector came back delivers everything queued, even when a request sent during the outage fails after it was called', async () => {
  await browser.control({ mode: 'hang' });
  const page = await startedPage(browser, testConfig(browser.url, { eventBatchInterval: 600000 }));
  // A full batch goes at once, and hangs until the request's 10 s timeout.
  await sendEvents(page, 'flush_after_outage', 10);
  await waitForStats(page, (s) => s.inFlightBatches === 1, 'the batch in flight');
  await browser.control({ mode: 'up' });
  await sendEvents(page, 'flush_after_outage', 3, { from: 10 });
  assert.deepEqual(await settle(page, 'flush'), { settled: 'resolved' });
  const stats = await producerStats(page);
  assert.equal(stats.queued, 0, `all sent by flush (${stats.delivered} delivered, ${stats.queued} queued)`);
  const seqs = new Set(await deliveredNumbers(browser, 'flush_after_outage'));
  assert.equal(seqs.size, 13);
  await page.close();
});
