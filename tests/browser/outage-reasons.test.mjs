// Why events can't flow is told as its own field: a delivery outage
// (errorCode '1', reason 'delivery'), a full queue (errorCode 'storage',
// reason 'queue_full') and a storage outage (errorCode 'storage', reason
// 'storage') each reach the bus, also while another one is in force, and
// only the delivery outage outlives a reload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { sendEvents } from './producer-page.mjs';
import { setQuotaFull } from './storage-fault-switches.mjs';

const FAULTS_WORKER = '/tests/browser/pages/storage-faults-worker.js';

const browser = sharedBrowser(openBrowserUnderTest);

/** Starts the producer on `page`, recording the bus as `name/errorCode/reason`. */
function start(page, overrides = {}) {
  return page.evaluate(
    (config) => {
      window.heard = [];
      window.producer.bus(({ detail }) =>
        window.heard.push(detail.name === 'OutageStartError' ? `${detail.errorCode}/${detail.reason}` : detail.name),
      );
      return window.producer.init(config);
    },
    testConfig(browser.url, { workerUrl: FAULTS_WORKER, ...overrides }),
  );
}

const send = (page, name, count, pad = 0) => sendEvents(page, name, count, { extra: { pad: 'x'.repeat(pad) } });

const heard = (page) => page.evaluate(() => window.heard);

async function waitToHear(page, message) {
  await waitFor(async () => (await heard(page)).includes(message), {
    what: `${message} on the bus`,
    explain: () => heard(page),
  });
}

test('a full quota during a delivery outage is told as storage, and the delivery outage again once writes succeed', async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  await start(page);
  await send(page, 'reason_quota', 5);
  await page.evaluate(() => window.producer.flush().catch(() => {}));
  await waitToHear(page, '1/delivery');

  await setQuotaFull(page, true);
  await send(page, 'reason_quota', 5);
  await waitToHear(page, 'storage/storage');
  await setQuotaFull(page, false);
  await send(page, 'reason_quota', 1);
  await waitFor(async () => (await heard(page)).length === 3, { what: 'the end of the storage outage' });

  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  await waitToHear(page, 'OutageEndMessage');
  assert.deepEqual(await heard(page), ['1/delivery', 'storage/storage', '1/delivery', 'OutageEndMessage']);
  await page.close();
});

test('a queue that fills up during a delivery outage is told as queue_full', async () => {
  await browser.control({ mode: 'down' });
  const page = await openProducerPage(browser);
  await start(page, { maxDiskUsageBytes: 16 * 1024 });
  await send(page, 'reason_full', 5);
  await page.evaluate(() => window.producer.flush().catch(() => {}));
  await waitToHear(page, '1/delivery');

  await send(page, 'reason_full', 100, 400);
  await waitToHear(page, 'storage/queue_full');
  assert.deepEqual(await heard(page), ['1/delivery', 'storage/queue_full']);
  await browser.control({ mode: 'up' });
  await page.close();
});

test('a tab reloaded with a full queue starts in no delivery outage, and tells a tab opened then of none', async () => {
  // Answers take 8 s (inside the 10 s timeout): the queue fills behind the
  // first batch, and nothing fails.
  await browser.control({ mode: 'slow', delayMs: 8000 });
  const config = { maxDiskUsageBytes: 16 * 1024, eventBatchInterval: 600000 };
  const page = await openProducerPage(browser);
  await start(page, config);
  await send(page, 'reason_reload_full', 100, 400);
  await waitToHear(page, 'storage/queue_full');
  await waitFor(() => page.evaluate(() => window.producer.getStats().then((s) => s.durable)), {
    what: 'the full queue durable',
  });

  await page.evaluate(() => window.crashWorkers());
  await page.reload();
  await page.waitForFunction(() => window.producerReady === true);
  await start(page, config);
  const other = await openProducerPage(browser);
  await start(other, config);
  await new Promise((resolve) => setTimeout(resolve, 500)); // the restored state and the other tab's question
  assert.deepEqual(await heard(page), []);
  assert.deepEqual(await heard(other), []);
  assert.equal(await other.evaluate(() => window.producer.isOutage()), false);
  await browser.control({ mode: 'up' });
  await page.close();
  await other.close();
});
