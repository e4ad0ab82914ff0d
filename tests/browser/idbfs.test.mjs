// The worker persists its queue through Emscripten's IDBFS, and this is
// checked from outside with a fresh IDBFS mount of another module
// (build/wasm/idbfs-probe, nothing but Emscripten's file system): after the
// worker is killed and the page reloaded, IDBFS reads every queued event
// from IndexedDB. Upgrades: stores written by earlier releases, by IDBFS
// itself or by plain IndexedDB calls in IDBFS's layout, are restored and
// delivered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openBrowser, openProducerPage, testConfig, waitFor } from './harness.mjs';

const probeFolder = fileURLToPath(new URL('../../build/wasm/idbfs-probe/', import.meta.url));
const EVENTS = 30;

let browser;
before(async () => {
  // Without the probe, the page's import of it would wait forever.
  const missing = ['idbfs_probe.mjs', 'idbfs_probe.wasm'].filter((file) => !existsSync(probeFolder + file));
  if (missing.length) throw new Error(`${missing.join(', ')} not built: run bash scripts/build.sh (not --package)`);
  browser = await openBrowser();
  // The probe is a build product, not part of the test site: serve it from the build folder.
  await browser.context.route('**/idbfs-probe/*', (route) => {
    const file = new URL(route.request().url()).pathname.split('/').pop();
    route.fulfill({
      path: probeFolder + file,
      contentType: file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
    });
  });
});
after(async () => {
  await browser?.close();
});

/** In the page: Emscripten's file system with an IDBFS mount at `path`, loaded from IndexedDB. */
function defineProbe(page) {
  return page.evaluate(() => {
    window.mountIdbfs = async (path) => {
      const { default: createIdbfsProbe } = await import('/idbfs-probe/idbfs_probe.mjs');
      const { FS } = await createIdbfsProbe();
      FS.mkdir(path);
      FS.mount(FS.filesystems.IDBFS, {}, path);
      const sync = (populate) =>
        new Promise((resolve, reject) => FS.syncfs(populate, (e) => (e ? reject(e) : resolve())));
      await sync(true);
      return { FS, sync };
    };
  });
}

/**
 * Writes `files` into the store at `path` as releases before IDBFS shipped in
 * the worker did, with plain IndexedDB calls: IDBFS's database version and
 * object store, one { timestamp, mode, contents } record per file.
 */
function writePreviousLayout(page, path, files) {
  return page.evaluate(
    ({ path, files }) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(path, 21);
        open.onupgradeneeded = () =>
          open.result.createObjectStore('FILE_DATA').createIndex('timestamp', 'timestamp', { unique: false });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const transaction = db.transaction(['FILE_DATA'], 'readwrite');
          const timestamp = new Date();
          for (const { name, bytes } of files) {
            transaction
              .objectStore('FILE_DATA')
              .put({ timestamp, mode: 0o100666, contents: new Uint8Array(bytes) }, `${path}/${name}`);
          }
          transaction.oncomplete = () => {
            db.close();
            resolve();
          };
          transaction.onabort = () => reject(transaction.error);
        };
      }),
    { path, files },
  );
}

/** Kills the page's workers abruptly, as a crash would, and deletes the store at `path`. */
function killWorkersAndDeleteStore(page, path) {
  return page.evaluate(async (path) => {
    window.crashWorkers();
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(path);
      request.onsuccess = request.onerror = () => resolve();
    });
  }, path);
}

/** The `seq` of every event named `name` in `files`' bytes that are missing. */
function missingEvents(files) {
  const stored = Buffer.concat(files.map((f) => Buffer.from(f.bytes))).toString('latin1');
  return Array.from({ length: EVENTS }, (_, seq) => seq).filter((seq) => !stored.includes(`idbfs-${seq}-end`));
}

/** Resolves once all EVENTS events named `name` are at the consumer. */
function allDelivered(name) {
  return waitFor(
    async () => {
      const seqs = new Set(
        (await browser.consumerEvents()).filter((e) => e.name === name).map((e) => JSON.parse(e.body).payload.seq),
      );
      return seqs.size === EVENTS;
    },
    { what: `all ${EVENTS} events named ${name} at the consumer` },
  );
}

/**
 * Starts the producer on the reloaded `page` and checks that it took back its
 * store at `path` with all EVENTS events named `name`, then delivers them.
 */
async function restoresItsStoreAndDelivers(page, path, name) {
  await page.evaluate((config) => window.producer.init(config), testConfig(browser.url));
  const stats = await page.evaluate(() => window.producer.getStats());
  assert.equal(`/tep-store-${stats.storeId}`, path, 'the reloaded tab keeps its store');
  assert.equal(stats.queued, EVENTS, 'every event restored');
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  await allDelivered(name);
  await page.close();
}

/** What Emscripten's IDBFS reads from the store at `path`: [{ name, bytes: number[] }]. */
function readWithIdbfs(page, path) {
  return page.evaluate(async (path) => {
    const { FS } = await window.mountIdbfs(path);
    // IDBFS keeps its connection open; closed, the store can be deleted later.
    FS.filesystems.IDBFS.dbs[path].close();
    return FS.readdir(path)
      .filter((name) => name !== '.' && name !== '..')
      .map((name) => ({ name, bytes: Array.from(FS.readFile(`${path}/${name}`)) }));
  }, path);
}

/**
 * A new tab whose producer stores EVENTS events named `name` (payload
 * { seq, marker }) while the consumer is down; resolves once they are in
 * IndexedDB, with the tab and the path of its store.
 */
async function tabWithStoredEvents(name) {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  await page.evaluate(
    (config) => window.producer.init(config),
    testConfig(browser.url, { eventBatchInterval: 600000 }),
  );
  await page.evaluate(
    ({ name, count }) => {
      for (let seq = 0; seq < count; seq++) {
        window.producer.sendEvent({ name, consentCategory: 'NECESSARY', payload: { seq, marker: `idbfs-${seq}-end` } });
      }
    },
    { name, count: EVENTS },
  );
  await waitFor(
    () => page.evaluate((count) => window.producer.getStats().then((s) => s.queued >= count && s.durable), EVENTS),
    {
      what: 'the events durable in IndexedDB',
    },
  );
  const { storeId } = await page.evaluate(() => window.producer.getStats());
  await defineProbe(page);
  return { page, path: `/tep-store-${storeId}` };
}

test('after the worker is killed and the page reloaded, a fresh IDBFS mount reads every queued event from IndexedDB, and the producer restores them all', async () => {
  const { page, path } = await tabWithStoredEvents('idbfs_layout');
  await page.evaluate(() => window.crashWorkers());
  await page.reload();
  await page.waitForFunction(() => window.producerReady === true);
  await defineProbe(page);

  const files = await readWithIdbfs(page, path);
  const names = files.map((f) => f.name);
  assert.ok(
    names.some((n) => /^seg-\d+\.log$/.test(n)),
    `a segment among ${names.join(', ')}`,
  );
  assert.deepEqual(missingEvents(files), [], 'every queued event is in what IDBFS read');

  await restoresItsStoreAndDelivers(page, path, 'idbfs_layout');
});

test("a store in the previous release's layout, written with plain IndexedDB calls, is restored as the tab's own after a reload and delivered", async () => {
  const { page, path } = await tabWithStoredEvents('previous_layout');
  const files = await readWithIdbfs(page, path);
  assert.deepEqual(missingEvents(files), []);
  await killWorkersAndDeleteStore(page, path);
  await writePreviousLayout(page, path, files);

  await page.reload();
  await page.waitForFunction(() => window.producerReady === true);
  await restoresItsStoreAndDelivers(page, path, 'previous_layout');
});

test('a store written by IDBFS, as the first release wrote it, is adopted and delivered', async () => {
  // A queue as the core writes it: made by a producer, then taken out of IndexedDB.
  const { page: maker, path: makerPath } = await tabWithStoredEvents('idbfs_written');
  const files = await readWithIdbfs(maker, makerPath);
  // The maker's tab goes away and takes its own store with it: only IDBFS's copy is left.
  await killWorkersAndDeleteStore(maker, makerPath);

  // IDBFS writes the files into the store of a tab that is gone.
  const orphan = '/tep-store-written-by-idbfs';
  await maker.evaluate(
    async ({ path, files }) => {
      const { FS, sync } = await window.mountIdbfs(path);
      for (const { name, bytes } of files) FS.writeFile(`${path}/${name}`, new Uint8Array(bytes));
      await sync(false);
      FS.filesystems.IDBFS.dbs[path].close();
    },
    { path: orphan, files },
  );
  await maker.close();

  // A new tab adopts that store and delivers its events.
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  await page.evaluate((config) => window.producer.init(config), testConfig(browser.url));
  await allDelivered('idbfs_written');
  const stats = await page.evaluate(() => window.producer.getStats());
  assert.ok(stats.adoptedEvents >= EVENTS, `${stats.adoptedEvents} events adopted`);
  await page.close();
});
