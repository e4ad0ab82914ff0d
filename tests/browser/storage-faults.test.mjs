// Storage that fails: IndexedDB that can't be opened at all (private modes),
// a full quota that aborts the worker's writes for a while, and the site's
// data cleared while the worker runs. Neither loses
// an event: the producer keeps delivering from memory, says so on the bus
// (OutageStartError with errorCode 'storage'), and once writes succeed again
// what is queued is durable and survives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { deliveredNumbers, producerStats, reloadPage, sendEvents, waitForStats } from './producer-page.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { setQuotaFull, clearStorage } from './storage-fault-switches.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

/** Starts the producer on `page` with the test worker at `workerUrl`; resolves to init's error, if any. */
function initWith(page, workerUrl, overrides = {}) {
  return page.evaluate(
    async (config) => {
      window.busDetails = [];
      window.producer.bus((event) =>
        window.busDetails.push({ name: event.detail.name, errorCode: event.detail.errorCode ?? null }),
      );
      try {
        await window.producer.init(config);
        return null;
      } catch (error) {
        return { name: error.name, errorCode: error.errorCode, message: error.message };
      }
    },
    testConfig(browser.url, { workerUrl, ...overrides }),
  );
}

const send = (page, name, count) => sendEvents(page, name, count);
const delivered = (name) => deliveredNumbers(browser, name);
const deliveredCount = async (name) => new Set(await delivered(name)).size;

/**
 * Reloads the page, starts the producer again and checks that all `count`
 * events named `name` were restored (beside `adopted` events of earlier
 * tests' tabs the page took over), then delivers them.
 */
async function reloadAndDeliver(page, name, count, overrides, adopted = 0) {
  await reloadPage(page);
  assert.equal(await initWith(page, '/tests/browser/pages/storage-faults-worker.js', overrides), null);
  assert.equal((await producerStats(page)).queued, count + adopted, `all ${count} restored after the reload`);
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await deliveredCount(name)) === count, {
    what: `the ${count} events at the consumer`,
    explain: async () => ({ delivered: await deliveredCount(name), stats: await producerStats(page) }),
  });
}

test('where IndexedDB cannot be opened, init says so, the storage outage is on the bus, and events are still delivered', async () => {
  const page = await openProducerPage(browser);
  const error = await initWith(page, '/tests/browser/pages/no-indexeddb-worker.js');
  assert.equal(error?.name, 'InitError');
  assert.equal(error.errorCode, 'storage');
  assert.match(error.message, /IndexedDB could not be opened/);
  assert.deepEqual(await page.evaluate(() => window.busDetails), [{ name: 'OutageStartError', errorCode: 'storage' }]);
  assert.equal(await page.evaluate(() => window.producer.isOutage()), true);

  await send(page, 'memory_only', 12);
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await delivered('memory_only')).length === 12, {
    what: '12 events delivered from memory',
  });
  const stats = await producerStats(page);
  assert.equal(stats.persistent, false);
  assert.equal(stats.queued, 0);
  await page.close();
});

test('a full quota raises the storage outage, loses nothing, and once writes succeed the queue survives a reload', async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  // Nothing is sent before flush() (a long interval, fewer events than a
  // batch), so the only outage here is the storage one.
  const holdSending = { eventBatchInterval: 600000 };
  assert.equal(await initWith(page, '/tests/browser/pages/storage-faults-worker.js', holdSending), null);
  await setQuotaFull(page, true);
  await send(page, 'over_quota', 8);
  await waitFor(() => page.evaluate(() => window.busDetails.some((d) => d.name === 'OutageStartError')), {
    what: 'OutageStartError',
  });
  assert.deepEqual(await page.evaluate(() => window.busDetails), [{ name: 'OutageStartError', errorCode: 'storage' }]);
  const failing = await producerStats(page);
  assert.equal(failing.queued, 8, 'nothing dropped while IndexedDB refuses writes');
  assert.ok(failing.storageError, 'the failed write is reported in getStats');
  assert.equal(failing.durable, false);

  await setQuotaFull(page, false);
  // The retried write goes through: everything queued is durable again.
  await waitForStats(page, (s) => s.durable && !s.storageError, 'a successful write after the quota was freed');

  await reloadAndDeliver(page, 'over_quota', 8, holdSending);
  await page.close();
});

test('a storage outage ends on the bus when writes succeed again, while the collector is up', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  assert.equal(await initWith(page, '/tests/browser/pages/storage-faults-worker.js'), null);
  await setQuotaFull(page, true);
  await send(page, 'quota_flap', 5);
  await waitFor(() => page.evaluate(() => window.busDetails.some((d) => d.name === 'OutageStartError')), {
    what: 'OutageStartError',
  });
  // Delivery goes on from memory meanwhile.
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await delivered('quota_flap')).length === 5, {
    what: '5 events delivered during the storage outage',
  });
  await setQuotaFull(page, false);
  await waitFor(() => page.evaluate(() => window.busDetails.some((d) => d.name === 'OutageEndMessage')), {
    what: 'OutageEndMessage',
  });
  assert.deepEqual(await page.evaluate(() => window.busDetails.map((d) => `${d.name}:${d.errorCode}`)), [
    'OutageStartError:storage',
    'OutageEndMessage:null',
  ]);
  assert.equal(await page.evaluate(() => window.producer.isOutage()), false);
  await page.close();
});

test("when the site's data is cleared under a running worker, the whole queue is stored again and survives a reload", async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  const holdSending = { eventBatchInterval: 600000 };
  assert.equal(await initWith(page, '/tests/browser/pages/storage-faults-worker.js', holdSending), null);
  // ~1 KB each: the queue spans several segment files, most of which no later event changes.
  const sendLarge = (from, count) =>
    sendEvents(page, 'cleared_storage', count, { from, extra: { pad: 'p'.repeat(1000) } });
  await sendLarge(0, 100);
  // A store an earlier test's tab left behind may be adopted meanwhile: its events count too.
  await waitForStats(page, (s) => s.queued === 100 + s.adoptedEvents && s.durable, '100 events durable');

  const { storeId } = await producerStats(page);
  assert.ok((await clearStorage(page)).includes(`/tep-store-${storeId}`), "the store's database was deleted");
  await sendLarge(100, 5);
  await waitForStats(
    page,
    (s) => s.queued === 105 + s.adoptedEvents && s.durable && !s.storageError,
    'the queue durable again after the storage was cleared',
  );

  const { adoptedEvents } = await producerStats(page);
  await reloadAndDeliver(page, 'cleared_storage', 105, holdSending, adoptedEvents);
  await page.close();
});

test('during a storage outage the page keeps its copy of the events until they are stored, so a worker that ends loses none', async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  const holdSending = { eventBatchInterval: 600000 };
  assert.equal(await initWith(page, '/tests/browser/pages/storage-faults-worker.js', holdSending), null);
  await setQuotaFull(page, true);
  await send(page, 'unstored_hand_over', 6);
  await waitFor(() => page.evaluate(() => window.busDetails.some((d) => d.errorCode === 'storage')), {
    what: 'the storage outage',
  });
  // Long enough for a confirmation of the hand-over to reach the page, were one sent.
  await new Promise((resolve) => setTimeout(resolve, 300));
  // The worker ends with the events in its memory only; the page starts a
  // new one (whose writes succeed: the fault was the old worker's).
  await page.evaluate(() => window.workers.at(-1).terminate());
  await waitFor(() => page.evaluate(() => window.busDetails.some((d) => d.name === 'OutageEndMessage')), {
    what: 'a new worker running',
  });
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await deliveredCount('unstored_hand_over')) === 6, {
    what: 'the 6 events the ended worker never stored, at the consumer',
    explain: async () => ({ delivered: await deliveredCount('unstored_hand_over'), stats: await producerStats(page) }),
  });
  await page.close();
});

test('during a storage outage the page keeps copies of at most 10,000 events, and counts those it lets go', async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  assert.equal(
    await initWith(page, '/tests/browser/pages/storage-faults-worker.js', {
      eventBatchInterval: 600000,
      maxDiskUsageBytes: 20 * 1024 * 1024, // room for all of them
    }),
    null,
  );
  await setQuotaFull(page, true);
  // Two hand-overs (one per task): the second takes the copies past the bound.
  await send(page, 'past_the_copy_bound', 6000);
  await send(page, 'past_the_copy_bound', 6000);
  await waitForStats(page, (s) => s.queued >= 12000, '12,000 events queued in memory');
  assert.equal((await producerStats(page)).releasedCopies, 6000);
  await setQuotaFull(page, false);
  await page.close();
});
