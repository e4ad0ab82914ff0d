// The tabs of an origin share the outage state, and it can't stick: a tab
// that heard of an outage from another tab, which then closed, ends it on its
// own next confirmed delivery.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, testConfig, waitFor } from './harness.mjs';

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

test('an outage started by a tab that then closed ends in the other tab on its next delivery', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const failing = await openProducerPage(browser);
  const listening = await openProducerPage(browser);
  // The listening tab sends nothing while the collector fails: it only hears of the outage.
  await listening.evaluate((config) => window.producer.init(config), testConfig(browser.url));
  await failing.evaluate((config) => window.producer.init(config), testConfig(browser.url));
  await failing.evaluate(() => {
    for (let i = 0; i < 10; i++) window.producer.sendEvent({ name: 'shared_outage', consentCategory: 'NECESSARY', payload: { i } });
    return window.producer.flush();
  });
  await waitFor(() => listening.evaluate(() => window.producer.isOutage()), { what: 'the outage heard in the other tab' });
  await failing.close();

  await browser.control({ mode: 'up' });
  await listening.evaluate(() => {
    window.producer.sendEvent({ name: 'shared_outage_after', consentCategory: 'NECESSARY', payload: {} });
    return window.producer.flush();
  });
  await waitFor(() => listening.evaluate(() => !window.producer.isOutage()), { what: 'the outage ended in the remaining tab' });
  assert.deepEqual(await listening.evaluate(() => window.busLog), ['OutageStartError', 'OutageEndMessage']);
  await listening.close();
});
