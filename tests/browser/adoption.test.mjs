// A store whose tab is gone is adopted by a live tab: its events are taken
// and delivered, and its database is deleted, but files in it that this
// release can't read (a later release's) are never deleted with it: their
// bytes stay in the origin's IndexedDB, in a database no tab adopts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { deliveredNumbers, producerStats, sendEvents, startedPage, waitUntilStored } from './producer-page.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { setQuotaFull } from './storage-fault-switches.mjs';

const EVENTS = 12;

const browser = sharedBrowser(openBrowserUnderTest);

/**
 * Puts `entries` ([{ key, text, storedAt }], each a file's entry under
 * whatever key it is given, stored at `storedAt` ms, by default now) into the IDBFS database `path`, created if missing, with plain
 * IndexedDB calls in IDBFS's layout: version 21, object store FILE_DATA, one
 * { timestamp, mode, contents } record per file.
 */
function putEntries(page, path, entries) {
  return page.evaluate(
    ({ path, entries }) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(path, 21);
        open.onupgradeneeded = () => open.result.createObjectStore('FILE_DATA').createIndex('timestamp', 'timestamp');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const transaction = db.transaction(['FILE_DATA'], 'readwrite');
          for (const { key, text, storedAt = Date.now() } of entries) {
            const contents = Uint8Array.from(text, (c) => c.charCodeAt(0));
            transaction.objectStore('FILE_DATA').put({ timestamp: new Date(storedAt), mode: 0o100666, contents }, key);
          }
          transaction.oncomplete = () => {
            db.close();
            resolve();
          };
          transaction.onabort = () => reject(transaction.error);
        };
      }),
    { path, entries },
  );
}

/** Adds `files` ([{ name, text }]) to the IDBFS database of the store at `path`, keyed "<path>/<name>". */
const addFilesToStore = (page, path, files) =>
  putEntries(
    page,
    path,
    files.map(({ name, text }) => ({ key: `${path}/${name}`, text })),
  );

/** Every database of the origin: { name, text }, text being all its stored bytes as latin1. */
function readEveryDatabase(page) {
  return page.evaluate(async () => {
    const request = (r) =>
      new Promise((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const textOf = (value) => {
      if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
        return Array.from(new Uint8Array(value), (b) => String.fromCharCode(b)).join('');
      }
      if (value && typeof value === 'object') return Object.values(value).map(textOf).join('');
      return String(value);
    };
    // A database the product deleted since the list was taken (an adopter
    // deletes each store it adopted) must stay deleted: a plain open() would
    // create it again, empty, and the test would see a store nobody left.
    const openIfExists = (name) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onupgradeneeded = () => open.transaction.abort(); // it was gone: the abort removes it again
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => (open.error?.name === 'AbortError' ? resolve(null) : reject(open.error));
      });
    const found = [];
    for (const { name } of await indexedDB.databases()) {
      const db = await openIfExists(name);
      if (db === null) continue;
      let text = '';
      for (const storeName of db.objectStoreNames) {
        const values = await request(db.transaction([storeName]).objectStore(storeName).getAll());
        text += values.map(textOf).join('');
      }
      db.close();
      found.push({ name, text });
    }
    return found;
  });
}

/**
 * A tab stores EVENTS events named `name` while the consumer is down (and
 * counts `refused` events of that name it refused, for want of a consent
 * category), and its worker dies: resolves to that tab's page (still open)
 * and its store's path.
 */
async function tabThatDies(name, { refused = 0 } = {}) {
  await browser.control({ mode: 'down' });
  const gone = await startedPage(browser, testConfig(browser.url, { eventBatchInterval: 600000 }));
  await sendEvents(gone, name, EVENTS);
  await gone.evaluate(
    ({ name, refused }) => {
      for (let i = 0; i < refused; i++) window.producer.sendEvent({ name, payload: {} });
    },
    { name, refused },
  );
  await waitUntilStored(gone, EVENTS, 'the events durable in IndexedDB');
  const { storeId } = await producerStats(gone);
  await gone.evaluate(() => window.crashWorkers());
  return { gone, path: `/tep-store-${storeId}` };
}

test("a gone tab's store holding a file of an unknown format is adopted: its events are delivered and the file's bytes are kept in IndexedDB", async () => {
  // A tab stores events while the consumer is down, then dies.
  const { gone, path } = await tabThatDies('adopted_with_unknown_file');

  // Beside its readable segment, the store holds what a later release wrote:
  // a segment of format version 9 and a file of a name this release doesn't know.
  const newerSegment = 'TEPQ\x09\x01\x00\x00' + 'segment-of-a-later-release-5f3a';
  const unknownFile = 'index-of-a-later-release-9c1e';
  await addFilesToStore(gone, path, [
    { name: 'seg-0000000000000099.log', text: newerSegment },
    { name: 'index.v9', text: unknownFile },
  ]);
  await gone.close();

  // A new tab adopts the store and delivers its events.
  await browser.control({ mode: 'up' });
  const page = await startedPage(browser);
  await waitFor(async () => new Set(await deliveredNumbers(browser, 'adopted_with_unknown_file')).size === EVENTS, {
    what: `all ${EVENTS} adopted events at the consumer`,
  });
  const stats = await producerStats(page);
  assert.equal(stats.adoptedEvents, EVENTS);
  // The adopted database goes once the adoption is complete.
  await waitFor(async () => !(await readEveryDatabase(page)).some((d) => d.name === path), {
    what: `the adopted database ${path} deleted`,
  });

  const databases = await readEveryDatabase(page);
  for (const bytes of [newerSegment, unknownFile]) {
    const holders = databases.filter((d) => d.text.includes(bytes)).map((d) => d.name);
    assert.equal(
      holders.length,
      1,
      `${JSON.stringify(bytes)} kept in one database of ${databases.map((d) => d.name).join(', ')}`,
    );
    assert.ok(!holders[0].startsWith('/tep-store-'), `kept in ${holders[0]}, which no tab adopts`);
  }
  assert.equal((await producerStats(page)).keptAsideFiles, 2);
  await page.close();
});

/**
 * Leaves the database of a store at `path` in the state WebKit leaves one
 * whose tab was frozen with its connection open: a delete request that
 * waits for a connection that never closes, and every later open of that
 * database waiting behind it. Holds until `page` closes.
 */
function holdStoreStuck(page, path) {
  return page.evaluate(
    (path) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(path, 21); // IDBFS's version, so openers need no upgrade
        open.onupgradeneeded = () => open.result.createObjectStore('FILE_DATA');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          window.heldConnections = [...(window.heldConnections ?? []), open.result]; // never closed
          const deleting = indexedDB.deleteDatabase(path);
          deleting.onblocked = () => resolve();
          deleting.onsuccess = () => reject(new Error(`${path} was deleted under its open connection`));
        };
      }),
    path,
  );
}

test("a store whose database never answers does not hold up adopting the other gone tabs' stores", async () => {
  // Stuck stores listed before and after the gone tab's, in creation order
  // and in name order alike.
  const holder = await openProducerPage(browser);
  await holdStoreStuck(holder, '/tep-store-!stuck-first');

  const { gone } = await tabThatDies('adopted_past_stuck_store');
  await gone.close();
  await holdStoreStuck(holder, '/tep-store-~stuck-last');

  await browser.control({ mode: 'up' });
  const page = await startedPage(browser);
  const delivered = async () => new Set(await deliveredNumbers(browser, 'adopted_past_stuck_store')).size;
  await waitFor(async () => (await delivered()) === EVENTS, {
    what: `all ${EVENTS} events of the gone tab at the consumer`,
    explain: async () => ({ delivered: await delivered(), stats: await producerStats(page) }),
  });
  assert.equal((await producerStats(page)).adoptedEvents, EVENTS);
  // Once the stuck connection goes, the waiting attempts finish and nothing is left behind.
  await holder.close();
  await page.close();
});

test("a store whose keys name another folder's files is adopted without touching that folder: the adopter's own events are all delivered", async () => {
  await browser.control({ mode: 'down' });
  const page = await startedPage(browser, testConfig(browser.url, { eventBatchInterval: 600000 }));
  await sendEvents(page, 'own_beside_foreign', EVENTS);
  const stats = () => producerStats(page);
  await waitUntilStored(page, EVENTS, 'the events durable in IndexedDB');
  const ownPath = `/tep-store-${(await stats()).storeId}`;
  // A damaged or foreign database named like a store, whose keys point into
  // the adopter's folder and out of its own.
  const foreign = '/tep-store-foreign-keys';
  await putEntries(page, foreign, [
    { key: `${ownPath}/seg-0000000000000001.log`, text: 'not a segment: overwrites it if taken' },
    { key: `${foreign}/../escaped`, text: 'outside its folder' },
  ]);
  await waitFor(async () => !(await readEveryDatabase(page)).some((d) => d.name === foreign), {
    what: `the foreign store ${foreign} adopted and deleted`,
    timeoutMs: 30000,
  });

  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  const delivered = async () => new Set(await deliveredNumbers(browser, 'own_beside_foreign')).size;
  await waitFor(async () => (await delivered()) === EVENTS, {
    what: `all ${EVENTS} of the adopter's own events at the consumer`,
    explain: async () => ({ delivered: await delivered(), stats: await stats() }),
  });
  assert.deepEqual((await stats()).counters.storingFailedEvents, {});
  await page.close();
});

test("a gone tab's store adopted while this tab's writes fail is adopted once: its events are delivered once, and it is deleted once they are stored", async () => {
  // The adopter runs first, with its writes refused (a full quota).
  await browser.control({ mode: 'down' });
  const page = await startedPage(
    browser,
    testConfig(browser.url, { workerUrl: '/tests/browser/pages/storage-faults-worker.js' }),
  );
  await setQuotaFull(page, true);
  // Then a tab stores events and its drop counters, and dies; its store is
  // adopted by the next scan. The merged counters keep this tab's writes
  // failing after the events are delivered.
  const { gone, path } = await tabThatDies('adopted_during_quota', { refused: 1 });
  await gone.close();
  await browser.control({ mode: 'up' });
  const seqsDelivered = () => deliveredNumbers(browser, 'adopted_during_quota');
  await waitFor(async () => new Set(await seqsDelivered()).size === EVENTS, {
    what: `all ${EVENTS} adopted events at the consumer, delivered from memory`,
    timeoutMs: 30000,
  });
  // Two more scans (every 10 s) while the writes still fail.
  await new Promise((resolve) => setTimeout(resolve, 22000));
  const stats = await producerStats(page);
  assert.equal(stats.adoptedEvents, EVENTS, 'adopted once');
  assert.ok(stats.storageError, 'the writes still fail');
  assert.deepEqual(stats.counters.consentFilteredEvents, { adopted_during_quota: 1 }, 'its counters merged once');
  assert.equal((await seqsDelivered()).length, EVENTS, 'each delivered once');
  assert.ok(
    (await readEveryDatabase(page)).some((d) => d.name === path),
    'the store stays while its copy is not stored',
  );

  await setQuotaFull(page, false);
  await waitFor(async () => !(await readEveryDatabase(page)).some((d) => d.name === path), {
    what: `the adopted database ${path} deleted once the copy is stored`,
    timeoutMs: 30000,
    explain: async () => ({
      databases: (await readEveryDatabase(page)).map((d) => d.name),
      stats: await producerStats(page),
    }),
  });
  assert.equal((await producerStats(page)).adoptedEvents, EVENTS);
  await page.close();
});

test('a database of kept-aside files is removed 30 days after its newest file was kept aside, not before', async () => {
  const page = await openProducerPage(browser);
  const day = 24 * 60 * 60 * 1000;
  const expired = '/tep-quarantine-kept-31-days-ago';
  const recent = '/tep-quarantine-kept-29-days-ago';
  await putEntries(page, expired, [
    { key: `${expired}/seg-0000000000000001.log`, text: 'TEPQ', storedAt: Date.now() - 31 * day },
  ]);
  await putEntries(page, recent, [
    { key: `${recent}/seg-0000000000000001.log`, text: 'TEPQ', storedAt: Date.now() - 29 * day },
  ]);
  await page.evaluate((config) => window.producer.init(config), testConfig(browser.url));
  // The first scan for gone tabs' stores runs at init.
  await waitFor(async () => !(await readEveryDatabase(page)).some((d) => d.name === expired), {
    what: `${expired} removed`,
  });
  assert.ok(
    (await readEveryDatabase(page)).some((d) => d.name === recent),
    `${recent} kept`,
  );
  await page.close();
});
