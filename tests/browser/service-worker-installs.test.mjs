// In every engine the package's service worker installs beside the tabs and
// does no harm: where it can't be woken after the last tab closed (Firefox
// and WebKit have no Background Sync), the next tab delivers what the last
// one left, as without it, and where it can (Chromium), each event still
// arrives once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { registerServiceWorker } from './package-service-worker.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

test('the service worker installs, and events stored when the last tab closed are delivered once by the next tab', async () => {
  const name = 'delivered_beside_the_service_worker';
  const count = 10;
  const first = await openProducerPage(browser);
  const installed = await registerServiceWorker(first);
  assert.equal(installed.state, 'activated');
  assert.equal(installed.backgroundSync, browser.engine === 'chromium', 'Background Sync only in Chromium');

  // A 503, not a refused connection the network might retry once the collector is back.
  await browser.control({ mode: 'error', status: 503 });
  await first.evaluate((config) => window.producer.init(config), testConfig(browser.url, { serviceWorker: true }));
  await first.evaluate((count) => {
    for (let seq = 0; seq < count; seq++)
      window.producer.sendEvent({
        name: 'delivered_beside_the_service_worker',
        consentCategory: 'NECESSARY',
        payload: { seq },
      });
  }, count);
  await waitFor(
    () => first.evaluate((count) => window.producer.getStats().then((s) => s.queued >= count && s.durable), count),
    { what: 'the events durable' },
  );
  await first.close();

  await browser.control({ mode: 'up' });
  const next = await openProducerPage(browser);
  await next.evaluate((config) => window.producer.init(config), testConfig(browser.url, { serviceWorker: true }));
  const delivered = await waitFor(
    async () => {
      await next.evaluate(() => window.producer.flush());
      const events = (await browser.consumerEvents()).filter((event) => event.name === name);
      return events.length >= count ? events : null;
    },
    { timeoutMs: 60000, what: 'the events delivered', explain: () => browser.consumerStats() },
  );
  assert.equal(delivered.length, count, 'none twice');
  assert.equal(new Set(delivered.map((event) => JSON.parse(event.body).payload.seq)).size, count, 'every event');
  assert.deepEqual(await browser.collectPageErrors(), []);
  await next.close();
});

test("the page loads the service worker's hand-off only for an app that opted in", async () => {
  const handoffRequests = (page) =>
    page.evaluate(
      () =>
        performance.getEntriesByType('resource').filter((entry) => entry.name.includes('/service-worker-handoff.js'))
          .length,
    );
  const without = await openProducerPage(browser);
  await without.evaluate((config) => window.producer.init(config), testConfig(browser.url));
  await without.evaluate(() => window.producer.flush());
  assert.equal(await handoffRequests(without), 0, 'an app that did not opt in never loads it');
  await without.close();

  const optedIn = await openProducerPage(browser);
  await optedIn.evaluate((config) => window.producer.init(config), testConfig(browser.url, { serviceWorker: true }));
  await waitFor(async () => (await handoffRequests(optedIn)) === 1, { what: 'the hand-off loaded once' });
  await optedIn.close();
});
