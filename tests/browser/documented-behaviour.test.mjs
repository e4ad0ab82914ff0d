// Behaviour the README and docs/ promise, each seen from the page as an app
// sees it: unsubscribing from the bus, replacing the credentials provider, the
// events' time to live, and the cap on events held before init.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, testConfig, waitFor } from './harness.mjs';
import { tokenFingerprint } from '../../demo/consumer/redaction.mjs';

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

const deliveredNamed = async (name) => (await browser.consumerEvents()).filter((e) => e.name === name);

// Far beyond any test: nothing is sent on the batch timer, only on flush or page hide.
const HOLD = { eventBatchInterval: 600000 };

test('a bus listener that unsubscribed hears nothing more, while one still subscribed hears the outage', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const page = await openProducerPage(browser);
  const heard = await page.evaluate(async (config) => {
    const gone = [];
    const staying = [];
    const unsubscribe = window.producer.bus((e) => gone.push(e.detail.name));
    window.producer.bus.bus((e) => staying.push(e.detail.name));
    unsubscribe();
    await window.producer.init(config);
    window.producer.sendEvent({ name: 'bus_unsubscribe', consentCategory: 'NECESSARY', payload: {} });
    await window.producer.flush();
    return { gone, staying };
  }, testConfig(browser.url));
  assert.deepEqual(heard, { gone: [], staying: ['OutageStartError'] });
  await browser.control({ mode: 'up' });
  await page.close();
});

test('a 401 makes the producer ask the provider again with the sub-status, and the batch then goes with the fresh token', async () => {
  await browser.control({ mode: 'unauthorized', subStatus: 11003, count: 1 });
  const page = await openProducerPage(browser);
  await page.evaluate(
    async (config) => {
      const asked = (window.asked = []);
      let token = 'expired-token';
      config.credentialsProvider = {
        bus: () => {},
        getCredentials: async (subStatus) => {
          asked.push(subStatus ?? null);
          if (subStatus === '11003') token = 'refreshed-token';
          return { clientId: 'provider-client', token };
        },
      };
      await window.producer.init(config);
      window.producer.sendEvent({ name: 'after_a_401', consentCategory: 'NECESSARY', payload: {} });
      await window.producer.flush().catch(() => {});
    },
    testConfig(browser.url, { eventBatchInterval: 100 }),
  );
  const [delivered] = await waitFor(() => deliveredNamed('after_a_401').then((found) => found.length && found), {
    what: 'the event delivered after the refresh',
  });
  const asked = await page.evaluate(() => window.asked);
  assert.ok(asked.includes('11003'), `the provider was asked with the sub-status: ${JSON.stringify(asked)}`);
  // The event keeps the headers it was sent with; the request that delivered
  // it authenticated with the refreshed token, and the refused one with the old.
  assert.equal(delivered.headers.authorization, tokenFingerprint('expired-token'));
  const { requests } = await (await fetch(`${browser.url}consumer/requests?limit=50`)).json();
  const refused = requests.findIndex((r) => r.status === 401);
  assert.ok(refused >= 0, 'the collector refused one request');
  assert.equal(requests[refused].authorization, `Bearer ${tokenFingerprint('expired-token')}`);
  assert.deepEqual(
    requests.slice(refused + 1).map((r) => [r.status, r.authorization]),
    requests.slice(refused + 1).map(() => [200, `Bearer ${tokenFingerprint('refreshed-token')}`]),
    'every later request went with the refreshed token',
  );
  await page.close();
});

test('setCredentialsProvider takes effect for the events sent after it', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  await page.evaluate(
    async (config) => {
      const provider = (token) => ({
        bus: () => {},
        getCredentials: async () => ({ clientId: 'provider-client', token }),
      });
      config.credentialsProvider = provider('first-token');
      await window.producer.init(config);
      window.producer.sendEvent({ name: 'provider_first', consentCategory: 'NECESSARY', payload: {} });
      await window.producer.flush();
      window.producer.setCredentialsProvider(provider('second-token'));
      window.producer.sendEvent({ name: 'provider_second', consentCategory: 'NECESSARY', payload: {} });
      await window.producer.flush();
    },
    testConfig(browser.url, HOLD),
  );
  const [first] = await deliveredNamed('provider_first');
  const [second] = await deliveredNamed('provider_second');
  assert.equal(first.headers['client-id'], 'provider-client');
  assert.equal(first.headers.authorization, tokenFingerprint('first-token'));
  assert.equal(second.headers.authorization, tokenFingerprint('second-token'));
  await page.close();
});

test('events older than eventTtlMs are dropped from the queue and counted, the younger ones delivered', async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  const stats = await page.evaluate(
    async (config) => {
      await window.producer.init(config);
      for (let i = 0; i < 3; i++)
        window.producer.sendEvent({ name: 'ttl_old', consentCategory: 'NECESSARY', payload: { i } });
      await window.producer.flush();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      window.producer.sendEvent({ name: 'ttl_young', consentCategory: 'NECESSARY', payload: {} });
      return window.producer.getStats();
    },
    testConfig(browser.url, { ...HOLD, eventTtlMs: 1000 }),
  );
  assert.ok(stats.queued >= 1);
  await browser.control({ mode: 'up' });
  const after = await page.evaluate(async () => {
    await window.producer.flush();
    return window.producer.getStats();
  });
  await waitFor(async () => (await deliveredNamed('ttl_young')).length === 1, { what: 'the young event delivered' });
  assert.equal((await deliveredNamed('ttl_old')).length, 0, 'no expired event sent');
  const expired = Object.values(after.counters).reduce((sum, byName) => sum + (byName.ttl_old ?? 0), 0);
  assert.equal(expired, 3, 'the 3 expired events are counted');
  await page.close();
});

/** A page with the producer started and five events queued that no batch timer will send. */
async function pageWithQueuedEvents(name) {
  const page = await openProducerPage(browser);
  await page.evaluate(
    async ({ config, name }) => {
      config.credentialsProvider = {
        bus: () => {},
        getCredentials: async () => ({ clientId: 'leaving', token: 'leaving-token' }),
      };
      await window.producer.init(config);
      for (let i = 0; i < 5; i++) window.producer.sendEvent({ name, consentCategory: 'NECESSARY', payload: { i } });
      await window.producer.getStats(); // the events are in the worker's queue
      // The page gets the batch it sends while unloading within a few ms of a change.
      await new Promise((resolve) => setTimeout(resolve, 100));
    },
    { config: testConfig(browser.url, HOLD), name },
  );
  return page;
}

test('a navigation away sends the queued events in a keepalive batch that reaches the collector', async () => {
  await browser.control({ mode: 'up' });
  const page = await pageWithQueuedEvents('navigated_away');
  // Away to another site's page, as a link would go (the origin's own pages would start the producer again).
  await page.goto('data:text/html,<p>elsewhere</p>');
  // No other tab of the origin is open to adopt the store: only the keepalive batch can deliver them.
  const arrived = await waitFor(() => deliveredNamed('navigated_away').then((found) => found.length === 5 && found), {
    what: 'the 5 events at the collector',
    timeoutMs: 5000,
  });
  assert.equal(arrived[0].headers['client-id'], 'leaving');
  await page.close();
});

test('closing the tab sends the queued events in a keepalive batch that reaches the collector', async () => {
  await browser.control({ mode: 'up' });
  const page = await pageWithQueuedEvents('tab_closed');
  await page.close({ runBeforeUnload: true });
  await waitFor(() => deliveredNamed('tab_closed').then((found) => found.length === 5), {
    what: 'the 5 events at the collector',
    timeoutMs: 5000,
  });
});

test('a tab switch sends the queued events once: the page sends them, the worker takes its answer and does not send them again', async () => {
  await browser.control({ mode: 'up' });
  const page = await pageWithQueuedEvents('tab_switched');
  const setVisibility = (state) =>
    page.evaluate((state) => {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  await setVisibility('hidden');
  await waitFor(() => deliveredNamed('tab_switched').then((found) => found.length === 5), {
    what: 'the 5 events at the collector',
  });
  await setVisibility('visible');
  // The worker heard the page's answer: nothing is left to send.
  const stats = await waitFor(
    async () => {
      const s = await page.evaluate(() => window.producer.getStats());
      return s.queued === 0 && s;
    },
    {
      what: "the queue emptied by the page's answer",
      explain: async () => {
        const s = await page.evaluate(() => window.producer.getStats());
        const requests = (await (await fetch(`${browser.url}consumer/requests?limit=200`)).json()).requests;
        return JSON.stringify({
          queued: s.queued,
          inFlightBatches: s.inFlightBatches,
          delivered: s.delivered,
          lastError: s.lastError,
          requestsCarrying: requests.filter((r) => r.body.includes('tab_switched')).length,
        });
      },
    },
  );
  assert.equal(stats.delivered, 5);
  await page.evaluate(() => window.producer.flush());
  const requests = (await (await fetch(`${browser.url}consumer/requests?limit=200`)).json()).requests;
  const carrying = requests.filter((r) => r.body.includes('tab_switched'));
  assert.equal(carrying.length, 1, 'one request carried them');
  await page.close();
});

test('a tab switch where the app sends an event in its own handler first still sends each queued event once', async () => {
  await browser.control({ mode: 'up' });
  const page = await pageWithQueuedEvents('switched_with_app_event');
  await page.evaluate(() => {
    // A capturing listener on window runs before the producer's on document.
    window.addEventListener(
      'visibilitychange',
      () => {
        if (document.visibilityState === 'hidden')
          window.producer.sendEvent({ name: 'app_hide_event', consentCategory: 'NECESSARY', payload: {} });
      },
      true,
    );
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await waitFor(() => deliveredNamed('switched_with_app_event').then((found) => found.length === 5), {
    what: 'the 5 queued events at the collector',
  });
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    return window.producer.flush();
  });
  await waitFor(() => deliveredNamed('app_hide_event').then((found) => found.length === 1), {
    what: "the app's own event delivered",
    explain: () => page.evaluate(() => window.producer.getStats()),
  });
  const requests = (await (await fetch(`${browser.url}consumer/requests?limit=200`)).json()).requests;
  const carrying = requests.filter((r) => r.body.includes('switched_with_app_event'));
  assert.equal(carrying.length, 1, `${carrying.length} requests carried the 5 queued events`);
  await page.close();
});

// Last in this file: its tab closes with 10,000 events queued, and whichever
// later tab of this browser adopted its store would be draining them (and a
// keepalive test's tab would find its own events behind them).
test('at most 10,000 events are held before init; the rest are counted as storing failures', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  const stats = await page.evaluate(
    async (config) => {
      for (let i = 0; i < 10005; i++)
        window.producer.sendEvent({ name: 'held_cap', consentCategory: 'NECESSARY', payload: { i } });
      await window.producer.init(config);
      return window.producer.getStats();
    },
    testConfig(browser.url, { ...HOLD, maxDiskUsageBytes: 100 * 1024 * 1024 }),
  );
  assert.equal(stats.accepted, 10000);
  assert.equal(stats.counters.storingFailedEvents['(held before init)'], 5);
  await page.close();
});
