// Which tab a store belongs to, where that is least clear: without Web Locks
// a duplicated tab carries the original's store id in its copy of
// sessionStorage, and a tab taken for gone (frozen, without locks) may find
// its store deleted by the tab that adopted it. Neither shares a store nor
// loses an event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, testConfig } from './harness.mjs';
import { producerStats, reloadPage, sendEvents, startedPage, waitForStats } from './producer-page.mjs';
import { openBrowserUnderTest } from './engines.mjs';

const NO_LOCKS_WORKER = '/tests/browser/pages/no-locks-worker.js';

const browser = sharedBrowser(openBrowserUnderTest);

test('without Web Locks a duplicated tab, which copies sessionStorage, gets a store of its own', async () => {
  const original = await startedPage(browser, testConfig(browser.url, { workerUrl: NO_LOCKS_WORKER }));
  const { storeId, coordination } = await producerStats(original);
  assert.equal(coordination, 'heartbeat');

  const duplicate = await browser.newPage();
  await duplicate.goto(`${browser.url}tests/browser/pages/producer.html`);
  await duplicate.evaluate((id) => sessionStorage.setItem('tep-store-id', id), storeId);
  await reloadPage(duplicate, testConfig(browser.url, { workerUrl: NO_LOCKS_WORKER }));
  const copy = await producerStats(duplicate);
  assert.notEqual(copy.storeId, storeId, 'the duplicate chose another store');
  await duplicate.close();
  await original.close();
});

test('a tab whose store another tab deletes steps aside, stores its whole queue again, and a reload restores every event', async () => {
  await browser.control({ mode: 'down' });
  const page = await startedPage(browser, testConfig(browser.url, { eventBatchInterval: 600000 }));
  await sendEvents(page, 'store_deleted', 40, { extra: { pad: 'p'.repeat(800) } });
  await waitForStats(page, (s) => s.queued === 40 && s.durable, '40 events durable');
  const { storeId } = await producerStats(page);

  // What an adopting tab does: delete the store's database. The worker's open
  // connection must not block it.
  const outcome = await page.evaluate(
    (path) =>
      new Promise((resolve) => {
        const request = indexedDB.deleteDatabase(path);
        request.onsuccess = () => resolve('deleted');
        request.onerror = () => resolve('failed');
        request.onblocked = () => setTimeout(() => resolve('blocked'), 2000);
      }),
    `/tep-store-${storeId}`,
  );
  assert.equal(outcome, 'deleted');
  await sendEvents(page, 'store_deleted', 5, { from: 40 });
  await waitForStats(page, (s) => s.queued === 45 && s.durable && !s.storageError, 'the queue durable again');

  await page.evaluate(() => window.crashWorkers());
  await reloadPage(page, testConfig(browser.url, { eventBatchInterval: 600000 }));
  assert.equal((await producerStats(page)).queued, 45, 'every event restored');
  await page.close();
});

test('a store whose Web Lock another script steals is claimed again, so no tab takes it for gone', async () => {
  await browser.control({ mode: 'up' });
  const page = await startedPage(browser);
  const { storeId, coordination } = await producerStats(page);
  assert.equal(coordination, 'locks');
  const path = `/tep-store-${storeId}`;
  // steal: true takes the lock from the worker at once; this holder lets it go at once.
  await page.evaluate((path) => navigator.locks.request(path, { steal: true }, async () => {}), path);
  // What an adopting tab tries: the lock, if it is free.
  const free = () =>
    page.evaluate((path) => navigator.locks.request(path, { ifAvailable: true }, (lock) => lock !== null), path);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(await free(), false, "the worker holds its store's lock again");
  await page.close();
});
