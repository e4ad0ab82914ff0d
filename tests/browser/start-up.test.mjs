// What an app does around start-up: a consent banner answering while init()
// is pending, and init(), shutdown(), init() in a row (React StrictMode
// mounts twice; log-out/log-in flows). No event is sent against the consent
// in force when it was sent, and every event is delivered by the session
// that is current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { deliveredEvents, deliveredNumbers } from './producer-page.mjs';

const browser = sharedBrowser(openBrowser);

test('consent withdrawn while init is pending is applied, with purge, and no event of the withdrawn category is sent', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  const outcome = await page.evaluate(async (config) => {
    const send = (name, category, count) => {
      for (let i = 0; i < count; i++) window.producer.sendEvent({ name, consentCategory: category, payload: { i } });
    };
    // A provider that answers late keeps init pending while the banner answers.
    config.credentialsProvider = {
      bus: () => {},
      getCredentials: () => new Promise((resolve) => setTimeout(() => resolve({ clientId: 'startup-client' }), 300)),
    };
    const starting = window.producer.init(config);
    send('startup_performance_before', 'PERFORMANCE', 20); // allowed when sent, purged by the change
    window.producer.setConsentCategory({ PERFORMANCE: true }, { purge: true });
    send('startup_performance_pending', 'PERFORMANCE', 20); // blocked when sent
    send('startup_necessary', 'NECESSARY', 20);
    await starting;
    send('startup_performance_after', 'PERFORMANCE', 20); // blocked when sent
    await window.producer.flush();
    return window.producer.getStats();
  }, testConfig(browser.url));

  await waitFor(async () => (await deliveredEvents(browser, 'startup_necessary')).length === 20, {
    what: 'the 20 NECESSARY events',
  });
  for (const name of ['startup_performance_before', 'startup_performance_pending', 'startup_performance_after']) {
    assert.equal((await deliveredEvents(browser, name)).length, 0, `no ${name} event sent`);
  }
  const filtered = outcome.counters.consentFilteredEvents;
  assert.equal(filtered.startup_performance_pending, 20);
  assert.equal(filtered.startup_performance_after, 20);
  assert.equal(filtered.startup_performance_before, 20, 'the purged events are counted');
  await page.close();
});

test('init, shutdown before it finished, and init again: the first init rejects, the second delivers every event', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  const first = await page.evaluate(async (config) => {
    const send = (from, count) => {
      for (let i = from; i < from + count; i++)
        window.producer.sendEvent({ name: 'reinit_pending', consentCategory: 'NECESSARY', payload: { i } });
    };
    const firstInit = window.producer.init(config).then(
      () => null,
      (error) => ({ name: error.name, errorCode: error.errorCode, id: error.id }),
    );
    send(0, 30);
    await window.producer.shutdown();
    send(30, 30);
    await window.producer.init(config);
    send(60, 40);
    await window.producer.flush();
    return firstInit;
  }, testConfig(browser.url));

  assert.deepEqual(first, { name: 'InitError', errorCode: 'shutdown', id: 'tep.init.shutdown' });
  await waitFor(async () => new Set(await deliveredNumbers(browser, 'reinit_pending')).size === 100, {
    what: 'all 100 events at the consumer',
  });
  await page.close();
});

test('init, shutdown and init again after the first finished: events sent around the calls are all delivered', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  await page.evaluate(async (config) => {
    const send = (from, count) => {
      for (let i = from; i < from + count; i++)
        window.producer.sendEvent({ name: 'reinit_done', consentCategory: 'NECESSARY', payload: { i } });
    };
    await window.producer.init(config);
    send(0, 50);
    await window.producer.shutdown();
    send(50, 25);
    const second = window.producer.init(config);
    send(75, 25);
    await second;
    await window.producer.flush();
  }, testConfig(browser.url));

  await waitFor(async () => new Set(await deliveredNumbers(browser, 'reinit_done')).size === 100, {
    what: 'all 100 events at the consumer',
  });
  assert.deepEqual(browser.pageErrors, []);
  await page.close();
});
