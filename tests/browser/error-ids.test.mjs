// The ids only a browser raises, each from the fault that raises it and
// asserted whole: a worker that can't load, one that never answers, a
// request the producer's shutdown ends, and events the page itself refuses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, testConfig } from './harness.mjs';

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

/** The id and errorCode init() rejects with for `overrides`. */
async function initFailure(overrides) {
  const page = await openProducerPage(browser);
  const failure = await page.evaluate(
    async (config) => {
      try {
        await window.producer.init(config);
        return 'resolved';
      } catch (error) {
        return { id: error.id, errorCode: error.errorCode, name: error.name };
      }
    },
    testConfig(browser.url, overrides),
  );
  await page.close();
  return failure;
}

test('a worker script that is not there fails init with tep.init.worker', async () => {
  assert.deepEqual(await initFailure({ workerUrl: '/tests/browser/pages/no-such-worker.js' }), {
    id: 'tep.init.worker',
    errorCode: 'worker',
    name: 'InitError',
  });
});

test('a worker that never answers fails init with tep.init.timeout', async () => {
  // A module worker that loads and does nothing; init gives up after 20 s.
  assert.deepEqual(await initFailure({ workerUrl: 'data:text/javascript,' }), {
    id: 'tep.init.timeout',
    errorCode: 'timeout',
    name: 'InitError',
  });
});

test('a flush that shutdown ends rejects with tep.worker.closed', async () => {
  // The collector holds every request: the flush waits on its send.
  await browser.control({ mode: 'hang' });
  const page = await openProducerPage(browser);
  const id = await page.evaluate(async (config) => {
    await window.producer.init(config);
    window.producer.sendEvent({ name: 'held_by_flush', consentCategory: 'NECESSARY', payload: {} });
    const flushing = window.producer.flush().then(
      () => 'resolved',
      (error) => error.id,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await window.producer.shutdown();
    return flushing;
  }, testConfig(browser.url));
  assert.equal(id, 'tep.worker.closed');
  await browser.control({ mode: 'up' });
  await page.close();
});

test('an event JSON cannot carry is counted as tep.event.not_serialisable', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  const lastError = await page.evaluate(async (config) => {
    await window.producer.init(config);
    window.producer.sendEvent({ name: 'big_number', consentCategory: 'NECESSARY', payload: { n: 1n } });
    await window.producer.flush();
    return (await window.producer.getStats()).lastError;
  }, testConfig(browser.url));
  assert.equal(lastError.slice(0, lastError.indexOf(']') + 1), '[tep.event.not_serialisable]');
  await page.close();
});

test('an event a consent change purges before the worker stored it is tep.event.consent_purged', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  const lastError = await page.evaluate(async (config) => {
    window.producer.sendEvent({ name: 'purged_early', consentCategory: 'PERFORMANCE', payload: {} });
    window.producer.setConsentCategory({ PERFORMANCE: true }, { purge: true });
    await window.producer.init(config);
    await window.producer.flush();
    return (await window.producer.getStats()).lastError;
  }, testConfig(browser.url));
  assert.equal(lastError.slice(0, lastError.indexOf(']') + 1), '[tep.event.consent_purged]');
  await page.close();
});
