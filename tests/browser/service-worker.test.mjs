// The package's service worker (dist/service-worker.js) sends what the tabs
// left behind once every tab of the site is closed: woken by the Background
// Sync the pages asked for (fired here through the DevTools protocol), it
// adopts the gone tabs' stores under their Web Locks, sends their events in
// the logged-out form to the public endpoint, under the site's consent, and
// never sends an event a tab sends too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { DELIVERY_SYNC_TAG, fireSync, registerServiceWorker, stopServiceWorkers } from './package-service-worker.mjs';

const TOKEN = 'service-worker-test-token';

const browser = sharedBrowser(openBrowser);

/** A tab of the site, logged in, with the producer started and the service worker opted in. */
async function openLoggedInTab(overrides = {}) {
  const page = await openProducerPage(browser);
  await page.evaluate(
    ({ config, token }) => {
      config.credentialsProvider = {
        bus: () => {},
        getCredentials: async () => ({ clientId: 'service-worker-test', token }),
      };
      return window.producer.init(config);
    },
    { config: testConfig(browser.url, { serviceWorker: true, ...overrides }), token: TOKEN },
  );
  return page;
}

/** Sends `count` events named `name` of `category` from `page`. */
function sendEvents(page, name, category, count) {
  return page.evaluate(
    ({ name, category, count }) => {
      for (let seq = 0; seq < count; seq++)
        window.producer.sendEvent({ name, consentCategory: category, payload: { seq } });
    },
    { name, category, count },
  );
}

/**
 * Waits until the workers of the closed tabs have ended: a closed tab's
 * worker may outlive its page by a moment and send with the tab's
 * credentials, which would be the tab's delivery, not the service worker's.
 * Each worker holds its Web Lock `tep-worker-alive-…` while it runs
 * (web/worker-watch.js); a page of the site without the producer watches them.
 */
async function closedTabsWorkersEnded() {
  const watcher = browser.newPage ? await browser.newPage() : await browser.context.newPage();
  await watcher.goto(`${browser.url}consumer/stats`);
  await waitFor(
    () =>
      watcher.evaluate(async () => {
        const { held = [] } = await navigator.locks.query();
        return !held.some((lock) => lock.name?.startsWith('tep-worker-alive-'));
      }),
    { what: "the closed tab's worker to end" },
  );
  await watcher.close();
}

/** Waits until `page` holds `count` events, durable in IndexedDB. */
function storedDurably(page, count) {
  return waitFor(
    () => page.evaluate((count) => window.producer.getStats().then((s) => s.queued >= count && s.durable), count),
    { what: `${count} events durable`, explain: () => page.evaluate(() => window.producer.getStats()) },
  );
}

/** The consumer's events named `name`, by their payload's seq. */
async function deliveredByName(name) {
  return (await browser.consumerEvents()).filter((event) => event.name === name);
}

/**
 * A logged-in tab, the service worker registered, that stores `allowed`
 * NECESSARY events named `name` and `blocked` PERFORMANCE events named
 * `blockedName` while the collector answers 503: a 503 rather than a refused
 * connection, since the network may retry a refused request (the leaving
 * batch of the closing tab, say) once the collector is back; nothing then
 * reaches the collector but what the service worker sends.
 */
async function tabWithStoredEvents({ name, allowed, blockedName, blocked, overrides = {} }) {
  const page = await openLoggedInTab(overrides);
  await registerServiceWorker(page);
  await browser.control({ mode: 'error', status: 503 });
  await sendEvents(page, name, 'NECESSARY', allowed);
  await sendEvents(page, blockedName, 'PERFORMANCE', blocked);
  await storedDurably(page, allowed + blocked);
  return page;
}

/**
 * Waits until the consent the pages mirrored for the service worker
 * (web/service-worker-handoff.js) blocks PERFORMANCE, read from a page of
 * the site.
 */
async function mirrorBlocksPerformance() {
  const reader = await browser.context.newPage();
  await reader.goto(`${browser.url}consumer/stats`);
  const mirrored = () =>
    reader.evaluate(
      () =>
        new Promise((resolve, reject) => {
          const opening = indexedDB.open('tep-service-worker');
          opening.onerror = () => reject(opening.error);
          opening.onsuccess = () => {
            const db = opening.result;
            const reading = db.transaction('handoff').objectStore('handoff').get('consent');
            reading.onsuccess = () => (db.close(), resolve(reading.result ?? null));
            reading.onerror = () => (db.close(), reject(reading.error));
          };
        }),
    );
  await waitFor(async () => (await mirrored())?.blocked?.PERFORMANCE === true, {
    what: 'the mirror of the consent to block PERFORMANCE',
    explain: mirrored,
  });
  await reader.close();
}

/** Waits until `count` events named `name` have reached the consumer, and resolves to them. */
function deliveredAtLeast(name, count, what) {
  return waitFor(
    async () => {
      const events = await deliveredByName(name);
      return events.length >= count ? events : null;
    },
    { what, explain: () => browser.consumerStats() },
  );
}

test('with every tab closed, the sync makes the service worker deliver each stored event once, logged out, none of a blocked category', async () => {
  const name = 'sent_by_service_worker';
  const blockedName = 'held_by_consent';
  const page = await tabWithStoredEvents({ name, allowed: 20, blockedName, blocked: 5 });
  // The outage began: the page asked for a sync.
  await waitFor(() => page.evaluate(() => window.producer.isOutage()), { what: 'the outage' });
  const tags = await waitFor(
    () =>
      page.evaluate(async () => {
        const registration = await navigator.serviceWorker.getRegistration('/dist/');
        const tags = await registration.sync.getTags();
        return tags.length ? tags : null;
      }),
    { what: 'the sync the page asked for' },
  );
  assert.deepEqual(tags, [DELIVERY_SYNC_TAG]);
  // The site's consent changes: PERFORMANCE is blocked (not purged), so those events stay stored, unsent.
  await page.evaluate(() => window.producer.setConsentCategory({ PERFORMANCE: true }));
  await page.close();
  await closedTabsWorkersEnded();

  await browser.control({ mode: 'up' });
  await fireSync(browser);
  const delivered = await deliveredAtLeast(name, 20, 'the events sent by the service worker');
  const seqs = delivered.map((event) => JSON.parse(event.body).payload.seq);
  assert.equal(new Set(seqs).size, 20, 'every event once');
  assert.equal(delivered.length, 20, 'none twice');
  for (const event of delivered) assert.equal(event.headers.authorization, undefined, 'the logged-out form');
  assert.deepEqual(await deliveredByName(blockedName), [], 'nothing of the blocked category');
});

test('a tab opened while the service worker delivers sends none of the events it is delivering: each arrives once', async () => {
  const name = 'tab_opened_during_delivery';
  const count = 30;
  const gone = await openLoggedInTab();
  await browser.control({ mode: 'error', status: 503 });
  await sendEvents(gone, name, 'NECESSARY', count);
  await storedDurably(gone, count);
  await gone.close();

  // The service worker's first request gets no answer (until its timeout):
  // its delivery is under way, provably, while the new tab starts.
  const before = await browser.consumerStats();
  await browser.control({ mode: 'hang', count: 1 });
  const syncing = fireSync(browser);
  await waitFor(async () => (await browser.consumerStats()).requests > before.requests, {
    what: "the service worker's request",
  });
  const tab = await openLoggedInTab();
  const stats = await tab.evaluate(() => window.producer.flush().then(() => window.producer.getStats()));
  assert.equal(stats.adoptedEvents, 0, "the tab adopted nothing: the service worker holds the gone tab's events");
  await syncing;

  const delivered = await waitFor(
    async () => {
      const events = await deliveredByName(name);
      return events.length >= count ? events : null;
    },
    { timeoutMs: 60000, what: 'the events sent by the service worker', explain: () => browser.consumerStats() },
  );
  assert.equal(delivered.length, count, 'none twice');
  assert.equal(new Set(delivered.map((event) => JSON.parse(event.body).payload.seq)).size, count, 'every event');
  const after = await tab.evaluate(() => window.producer.getStats());
  assert.equal(after.adoptedEvents, 0, 'the tab never took them');
  await tab.close();
});

test('a consent change the page could neither mirror nor tell the service worker of stops its delivery: nothing of the blocked category leaves, the next tab sends the rest', async () => {
  const name = 'sent_after_a_failed_mirror';
  const blockedName = 'blocked_while_the_mirror_failed';
  const page = await tabWithStoredEvents({
    name,
    allowed: 10,
    blockedName,
    blocked: 5,
    overrides: { strictMode: true },
  });
  const errors = [];
  page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  // From now on the hand-off's database refuses every write, as a full quota
  // would, and the service worker hears nothing of the page (it would write
  // the mirror itself): it is not running, and no message reaches it.
  await stopServiceWorkers(browser);
  await page.evaluate(() => {
    navigator.serviceWorker.getRegistrations = async () => [];
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      if (this.name === 'handoff') throw new DOMException('the quota is full', 'QuotaExceededError');
      return put.apply(this, args);
    };
  });
  await page.evaluate(() => window.producer.setConsentCategory({ PERFORMANCE: true }));
  await waitFor(() => errors.some((text) => text.includes('[tep.service_worker.hand_off]')), {
    what: 'the failed mirror, reported in strict mode',
    explain: async () => errors,
  });
  await page.close();
  await closedTabsWorkersEnded();

  await browser.control({ mode: 'up' });
  await fireSync(browser);
  // The next tab states the site's consent and adopts the closed tab's store.
  const next = await openLoggedInTab({
    blockedConsentCategories: { NECESSARY: false, PERFORMANCE: true, TARGETING: false },
  });
  const delivered = await deliveredAtLeast(name, 10, 'the allowed events');
  assert.equal(new Set(delivered.map((event) => JSON.parse(event.body).payload.seq)).size, 10, 'every event once');
  assert.equal(delivered.length, 10, 'none twice');
  assert.deepEqual(await deliveredByName(blockedName), [], 'nothing of the blocked category');
  await next.close();
});

test('a consent change made while the service worker runs reaches it at once: nothing of the blocked category leaves once the tab is gone', async () => {
  const name = 'allowed_while_the_service_worker_ran';
  const blockedName = 'blocked_while_the_service_worker_ran';
  const page = await tabWithStoredEvents({ name, allowed: 10, blockedName, blocked: 5 });
  // The service worker wakes while the tab is open: its producer starts under
  // the consent the page mirrored, PERFORMANCE allowed, and keeps running.
  await fireSync(browser);
  await page.evaluate(() => window.producer.setConsentCategory({ PERFORMANCE: true }));
  await page.close();
  await closedTabsWorkersEnded();
  await browser.control({ mode: 'up' });
  // The running producer's next scan (every 10 s) adopts the closed tab's
  // store and sends it, with no new wake-up to read the consent again.
  await new Promise((resolve) => setTimeout(resolve, 12000));
  await fireSync(browser);
  const delivered = await deliveredAtLeast(name, 10, 'the allowed events');
  assert.equal(new Set(delivered.map((event) => JSON.parse(event.body).payload.seq)).size, 10, 'every event once');
  assert.deepEqual(await deliveredByName(blockedName), [], 'nothing of the blocked category');
});

test('a consent change whose mirror the closing tab never wrote still reaches the stopped service worker: nothing of the blocked category leaves', async () => {
  const name = 'allowed_with_the_mirror_write_lost';
  const blockedName = 'blocked_with_the_mirror_write_lost';
  const page = await tabWithStoredEvents({ name, allowed: 10, blockedName, blocked: 5 });
  // From now on the tab's writes to the hand-off database never land, as
  // when the tab is closed before they commit.
  await page.evaluate(() => {
    const open = IDBFactory.prototype.open;
    IDBFactory.prototype.open = function (name, ...rest) {
      return name === 'tep-service-worker' ? /** @type {any} */ ({}) : open.call(this, name, ...rest);
    };
  });
  // Not running, the service worker hears no broadcast of the change.
  await stopServiceWorkers(browser);
  await page.evaluate(() => window.producer.setConsentCategory({ PERFORMANCE: true }));
  await page.close();
  await closedTabsWorkersEnded();
  await mirrorBlocksPerformance();
  // Stopped again, it keeps nothing in memory: the next wake-up reads the mirror.
  await stopServiceWorkers(browser);
  await browser.control({ mode: 'up' });
  await fireSync(browser);
  const delivered = await deliveredAtLeast(name, 10, 'the allowed events');
  assert.equal(new Set(delivered.map((event) => JSON.parse(event.body).payload.seq)).size, 10, 'every event once');
  assert.deepEqual(await deliveredByName(blockedName), [], 'nothing of the blocked category');
});
