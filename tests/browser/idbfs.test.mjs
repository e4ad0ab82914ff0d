// The queue is stored in IndexedDB in the layout of Emscripten's IDBFS, and
// this is checked against IDBFS itself (build/wasm/idbfs-probe, a module
// that is only Emscripten's file system): IDBFS reads the worker's store file
// for file, and a store IDBFS wrote, as earlier releases of the worker did,
// is restored and delivered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { openBrowser, openProducerPage, testConfig, waitFor } from './harness.mjs';

const probeFolder = fileURLToPath(new URL('../../build/wasm/idbfs-probe/', import.meta.url));
const EVENTS = 30;

let browser;
before(async () => {
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
      const sync = (populate) => new Promise((resolve, reject) => FS.syncfs(populate, (e) => (e ? reject(e) : resolve())));
      await sync(true);
      return { FS, sync };
    };
  });
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
  await page.evaluate((config) => window.producer.init(config), testConfig(browser.url, { eventBatchInterval: 600000 }));
  await page.evaluate(({ name, count }) => {
    for (let seq = 0; seq < count; seq++) {
      window.producer.sendEvent({ name, consentCategory: 'NECESSARY', payload: { seq, marker: `idbfs-${seq}-end` } });
    }
  }, { name, count: EVENTS });
  await waitFor(() => page.evaluate((count) => window.producer.getStats().then((s) => s.queued >= count && s.durable), EVENTS), {
    what: 'the events durable in IndexedDB',
  });
  const { storeId } = await page.evaluate(() => window.producer.getStats());
  await defineProbe(page);
  return { page, path: `/tep-store-${storeId}` };
}

test('IDBFS reads the queue the worker stored, file for file, with every event in it', async () => {
  const { page, path } = await tabWithStoredEvents('idbfs_layout');
  const files = await readWithIdbfs(page, path);

  const names = files.map((f) => f.name);
  assert.ok(names.some((n) => /^seg-\d+\.log$/.test(n)), `a segment among ${names.join(', ')}`);
  const stored = Buffer.concat(files.map((f) => Buffer.from(f.bytes))).toString('latin1');
  for (let seq = 0; seq < EVENTS; seq++) assert.ok(stored.includes(`idbfs-${seq}-end`), `event ${seq} is in what IDBFS read`);
  await page.close();
});

test('a store written by IDBFS, as earlier releases wrote it, is restored and delivered', async () => {
  // A queue as the core writes it: made by a producer, then taken out of IndexedDB.
  const { page: maker, path: makerPath } = await tabWithStoredEvents('idbfs_written');
  const files = await readWithIdbfs(maker, makerPath);
  // The maker's tab goes away and takes its own store with it: only IDBFS's copy is left.
  await maker.evaluate(async (path) => {
    window.workers.forEach((w) => w.terminate());
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(path);
      request.onsuccess = request.onerror = () => resolve();
    });
  }, makerPath);

  // IDBFS writes the files into the store of a tab that is gone.
  const orphan = '/tep-store-written-by-idbfs';
  await maker.evaluate(async ({ path, files }) => {
    const { FS, sync } = await window.mountIdbfs(path);
    for (const { name, bytes } of files) FS.writeFile(`${path}/${name}`, new Uint8Array(bytes));
    await sync(false);
  }, { path: orphan, files });
  await maker.close();

  // A new tab adopts that store and delivers its events.
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  await page.evaluate((config) => window.producer.init(config), testConfig(browser.url));
  await waitFor(
    async () => {
      const seqs = new Set((await browser.consumerEvents()).filter((e) => e.name === 'idbfs_written').map((e) => JSON.parse(e.body).payload.seq));
      return seqs.size === EVENTS;
    },
    { what: `all ${EVENTS} events of the IDBFS-written store at the consumer` },
  );
  const stats = await page.evaluate(() => window.producer.getStats());
  assert.ok(stats.adoptedEvents >= EVENTS, `${stats.adoptedEvents} events adopted`);
  await page.close();
});
