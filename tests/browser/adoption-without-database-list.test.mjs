// Where the browser can't list an origin's databases (indexedDB.databases()
// is missing before Firefox 126), a closed tab's store is still found and
// adopted: the workers keep a registry of the stores themselves
// (worker/store-registry.js). Runs in every engine, with the method taken away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { deliveredNumbers, producerStats, sendEvents, startedPage, waitUntilStored } from './producer-page.mjs';
import { openBrowserUnderTest } from './engines.mjs';

const NO_DATABASE_LIST_WORKER = '/tests/browser/pages/no-database-list-worker.js';
const REGISTRY = 'tep-store-registry';
const EVENTS = 12;

const browser = sharedBrowser(openBrowserUnderTest);

/** The store paths the registry lists, read in the page with plain IndexedDB calls. */
function registeredStores(page) {
  return page.evaluate(
    (name) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('stores')) {
            db.close();
            resolve([]);
            return;
          }
          const request = db.transaction(['stores']).objectStore('stores').getAllKeys();
          request.onsuccess = () => {
            db.close();
            resolve(request.result);
          };
          request.onerror = () => reject(request.error);
        };
      }),
    REGISTRY,
  );
}

const databaseNames = (page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name).sort());

test("without indexedDB.databases() a closed tab's store is found in the registry, adopted, and taken off it", async () => {
  await browser.control({ mode: 'down' });
  const gone = await startedPage(
    browser,
    testConfig(browser.url, { workerUrl: NO_DATABASE_LIST_WORKER, eventBatchInterval: 600000 }),
  );
  await sendEvents(gone, 'adopted_from_registry', EVENTS);
  await waitUntilStored(gone, EVENTS, 'the events durable in IndexedDB');
  const gonePath = `/tep-store-${(await producerStats(gone)).storeId}`;
  assert.deepEqual(await registeredStores(gone), [gonePath]);
  // The tab dies without a goodbye: its worker is killed, then the tab closed.
  await gone.evaluate(() => window.crashWorkers());
  await gone.close();

  await browser.control({ mode: 'up' });
  const page = await startedPage(browser, testConfig(browser.url, { workerUrl: NO_DATABASE_LIST_WORKER }));
  await waitFor(async () => new Set(await deliveredNumbers(browser, 'adopted_from_registry')).size === EVENTS, {
    what: `the ${EVENTS} adopted events at the consumer`,
  });
  const stats = await producerStats(page);
  assert.equal(stats.adoptedEvents, EVENTS);
  const ownPath = `/tep-store-${stats.storeId}`;
  await waitFor(async () => JSON.stringify(await registeredStores(page)) === JSON.stringify([ownPath]), {
    what: 'the registry listing only the live tab',
  });
  assert.ok(!(await databaseNames(page)).includes(gonePath), 'the adopted database is deleted');
  await page.close();
});

test("a closed tab's store larger than the adopter's disk cap is adopted in parts, and listed until all of it is taken", async () => {
  // A context of its own: the test above left a registry in the main one.
  const context = await browser.newIsolatedContext();
  await browser.control({ mode: 'down' });
  const gone = await startedPage(
    browser,
    testConfig(browser.url, { workerUrl: NO_DATABASE_LIST_WORKER, eventBatchInterval: 600000 }),
    { page: await context.newPage() },
  );
  await sendEvents(gone, 'adopted_in_parts', EVENTS, { extra: { pad: 'p'.repeat(1000) } });
  await waitUntilStored(gone, EVENTS, 'the events durable in IndexedDB');
  const gonePath = `/tep-store-${(await producerStats(gone)).storeId}`;
  await gone.evaluate(() => window.crashWorkers());
  await gone.close();

  // Room for a few of them at a time: each takes ~1.4 KB on disk.
  const page = await startedPage(
    browser,
    testConfig(browser.url, { workerUrl: NO_DATABASE_LIST_WORKER, maxDiskUsageBytes: 6000 }),
    { page: await context.newPage() },
  );
  const stats = () => producerStats(page);
  await waitFor(async () => (await stats()).adoptedEvents > 0, { what: 'a first part adopted' });
  const first = await stats();
  assert.ok(first.adoptedEvents < EVENTS, `${first.adoptedEvents} adopted while the cap allows no more`);
  assert.ok((await registeredStores(page)).includes(gonePath), 'the rest still listed');
  assert.deepEqual(first.counters.storingFailedEvents, {}, 'nothing dropped');

  await browser.control({ mode: 'up' });
  const delivered = () => deliveredNumbers(browser, 'adopted_in_parts');
  await waitFor(async () => new Set(await delivered()).size === EVENTS, {
    what: `all ${EVENTS} events at the consumer, a part per scan`,
    timeoutMs: 90000,
    explain: async () => ({ delivered: await delivered(), stats: await stats() }),
  });
  assert.equal((await delivered()).length, EVENTS, 'each once');
  await waitFor(async () => !(await registeredStores(page)).includes(gonePath), {
    what: 'the store taken off the registry once all of it is taken',
  });
  assert.ok(!(await databaseNames(page)).includes(gonePath), 'the adopted database is deleted');
  await page.close();
  await context.close();
});

test('where the browser lists databases, the workers keep no registry', async () => {
  // A context of its own: the test above left a registry in the main one.
  const context = await browser.newIsolatedContext();
  const page = await startedPage(browser, testConfig(browser.url), { page: await context.newPage() });
  const { storeId } = await producerStats(page);
  const names = await databaseNames(page);
  assert.ok(names.includes(`/tep-store-${storeId}`));
  assert.ok(!names.includes(REGISTRY), `databases: ${names.join(', ')}`);
  await page.close();
  await context.close();
});
