// The demo page, driven like a user would: send, take the consumer down, see
// the outage, bring it back, see the counts match; and a screenshot of it
// per engine (tests/browser/artifacts/demo-<engine>.png).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { sharedBrowser, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

const number = async (page, id) => Number((await page.textContent(id)).replace(/[^0-9]/g, ''));

test('a user sends events, survives a consumer outage and sees every event delivered', async () => {
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(browser.url);
  await page.waitForSelector('#outage-indicator');
  // The buttons answer once init has resolved (slower in some engines): a
  // user clicking earlier would see nothing happen either.
  await page.waitForFunction(() => document.getElementById('send-necessary').onclick !== null);
  for (let i = 0; i < 3; i++) await page.click('#send-necessary');
  await page.fill('#burst-size', '200');
  await page.click('#send-burst');
  await waitFor(async () => (await number(page, '#delivered-count')) === 203, {
    what: '203 delivered',
    timeoutMs: 30000,
  });

  await page.click('#consumer-down');
  await page.click('#send-performance');
  await page.click('#send-targeting');
  await page.click('#flush');
  await waitFor(async () => (await page.textContent('#outage-indicator')) === 'Outage', {
    what: 'the outage indicator',
    timeoutMs: 30000,
  });
  await waitFor(async () => (await number(page, '#queue-depth')) >= 2, { what: 'the queued events on screen' });

  await page.click('#consumer-up');
  await page.fill('#burst-size', '300');
  await page.click('#send-burst');
  await waitFor(async () => (await page.textContent('#outage-indicator')) === 'Delivering', {
    what: 'the indicator back to Delivering',
    timeoutMs: 30000,
  });
  await waitFor(async () => (await number(page, '#delivered-count')) === (await number(page, '#sent-count')), {
    what: 'delivered = sent',
    timeoutMs: 30000,
  });
  assert.equal((await browser.consumerStats()).accepted, 505);
  const busLog = await page.textContent('#bus-log');
  assert.match(busLog, /OutageStartError/);
  assert.match(busLog, /OutageEndMessage/);

  await new Promise((resolve) => setTimeout(resolve, 2500)); // a few chart samples
  await mkdir('tests/browser/artifacts', { recursive: true });
  await page.screenshot(`tests/browser/artifacts/demo-${browser.engine}.png`);
  assert.deepEqual(await browser.collectPageErrors(), []);
  await page.close();
});
