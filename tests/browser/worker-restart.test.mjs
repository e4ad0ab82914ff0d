// A worker that ends after init (a crash, out of memory, the browser
// reclaiming it) is replaced: the page starts a new one on the same store,
// keeps the events sent meanwhile and those the ended worker never stored,
// and the bus reports the outage while no worker runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { deliveredNumbers, producerStats, sendEvents, startedPage } from './producer-page.mjs';

const browser = sharedBrowser(openBrowser);

const sendMany = (page, name, count) => sendEvents(page, name, count);
const delivered = async (name) => new Set(await deliveredNumbers(browser, name)).size;

/** A started producer page whose bus messages are logged in window.codes (errorCode or name). */
async function startedWithBusLog(config) {
  const page = await openProducerPage(browser);
  await page.evaluate(async (config) => {
    window.codes = [];
    window.producer.bus((event) => window.codes.push(event.detail.errorCode ?? event.detail.name));
    await window.producer.init(config);
  }, config);
  return page;
}

test('a worker that ends is replaced on the same store; events sent meanwhile are delivered', async () => {
  await browser.control({ mode: 'up' });
  const page = await startedWithBusLog(testConfig(browser.url));
  await sendMany(page, 'before_the_end', 20);
  await page.evaluate(() => window.producer.flush());
  const storeBefore = (await producerStats(page)).storeId;

  // The worker ends as the browser would end it: no message, no error event.
  await page.evaluate(() => window.workers.at(-1).terminate());
  await sendMany(page, 'while_it_was_gone', 30);

  await waitFor(() => page.evaluate(() => window.codes.includes('OutageEndMessage')), {
    what: 'the outage ends once a new worker runs',
  });
  assert.deepEqual(await page.evaluate(() => window.codes), ['worker', 'OutageEndMessage']);
  assert.equal(await page.evaluate(() => window.workers.length), 2, 'one new worker');
  await page.evaluate(() => window.producer.flush());
  const stats = await producerStats(page);
  assert.equal(stats.storeId, storeBefore, 'the new worker took the same store');
  await waitFor(async () => (await delivered('while_it_was_gone')) === 30, {
    what: 'the 30 events sent meanwhile delivered',
  });
  assert.equal(await delivered('before_the_end'), 20);
  await page.close();
});

test('events handed to a worker that ends before storing them go to the next worker', async () => {
  // Nothing is delivered until the end, so only the queue can hold them.
  await browser.control({ mode: 'down' });
  const page = await startedPage(browser);
  await page.evaluate(async () => {
    for (let i = 0; i < 40; i++)
      window.producer.sendEvent({ name: 'in_the_last_message', consentCategory: 'NECESSARY', payload: { i } });
    // The hand-over is posted on the next microtask; the worker ends before
    // its group commit could store them.
    await Promise.resolve();
    await Promise.resolve();
    window.workers.at(-1).terminate();
  });
  await waitFor(() => page.evaluate(() => window.workers.length === 2), { what: 'a new worker' });
  await browser.control({ mode: 'up' });
  await waitFor(
    async () => {
      await page.evaluate(() => window.producer.flush().catch(() => {}));
      return (await delivered('in_the_last_message')) === 40;
    },
    { what: 'all 40 events delivered by the new worker', timeoutMs: 30000 },
  );
  await page.close();
});

test('a worker that keeps ending is replaced after a growing delay, and events wait on the page', async () => {
  await browser.control({ mode: 'up' });
  const page = await startedPage(browser);
  // Three ends in a row, each as soon as its replacement is running.
  for (let ended = 1; ended <= 3; ended++) {
    await waitFor(() => page.evaluate((n) => window.workers.length === n, ended), { what: `worker ${ended} running` });
    // getStats answers (not null) once the worker is ready.
    await waitFor(() => page.evaluate(() => window.producer.getStats()), { what: `worker ${ended} ready` });
    await page.evaluate(() => window.workers.at(-1).terminate());
  }
  const gap = await page.evaluate(async () => {
    const before = performance.now();
    while (window.workers.length < 4) await new Promise((resolve) => setTimeout(resolve, 20));
    return performance.now() - before;
  });
  assert.ok(gap >= 1000, `the third replacement waited ${Math.round(gap)} ms (growing delay)`);
  await sendMany(page, 'after_three_ends', 5);
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await delivered('after_three_ends')) === 5, { what: 'delivered by the fourth worker' });
  await page.close();
});

test('without Web Locks the page notices an ended worker by its missed pings, and replaces it', async () => {
  await browser.control({ mode: 'up' });
  const page = await startedWithBusLog(
    testConfig(browser.url, { workerUrl: '/tests/browser/pages/no-locks-worker.js' }),
  );
  await page.evaluate(() => window.workers.at(-1).terminate());
  await sendMany(page, 'ended_without_locks', 10);
  // A ping every 5 s; after two in a row unanswered for 10 s each, the worker is taken for gone.
  await waitFor(() => page.evaluate(() => window.codes.includes('OutageEndMessage')), {
    what: 'a new worker after two missed pings',
    timeoutMs: 35000,
  });
  assert.deepEqual(await page.evaluate(() => window.codes), ['worker', 'OutageEndMessage']);
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await delivered('ended_without_locks')) === 10, { what: 'the 10 events delivered' });
  await page.close();
});
