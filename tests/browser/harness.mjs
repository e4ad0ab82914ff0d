// What every browser test needs: Debian's Chromium driven by playwright-core
// with a profile that persists across reloads (so IndexedDB does), and the
// demo server (reference consumer + static files) on a free loopback port.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoServer } from '../../demo/serve.mjs';

// Flags that work on these machines: no sandbox as root, and no background
// traffic to hosts the network can't reach.
export const chromiumArgs = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function openBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'tep-profile-'));
  const dataDir = await mkdtemp(join(tmpdir(), 'tep-consumer-'));
  const server = await startDemoServer({ port: 0, dataDir, quiet: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: chromiumArgs,
    headless: true,
  });
  const pageErrors = [];
  context.on('page', (page) => page.on('pageerror', (e) => pageErrors.push(String(e))));
  return {
    context,
    server,
    url: server.url,
    pageErrors,
    async control(fault) {
      const res = await fetch(`${server.url}consumer/control`, { method: 'POST', body: JSON.stringify(fault), headers: { 'Content-Type': 'application/json' } });
      return res.json();
    },
    async consumerStats() {
      return (await fetch(`${server.url}consumer/stats`)).json();
    },
    async consumerEvents() {
      const all = [];
      let after = 0;
      for (;;) {
        const page = await (await fetch(`${server.url}consumer/events?after=${after}&limit=1000`)).json();
        all.push(...page.events);
        if (!page.events.length || page.next === undefined || page.next === after) break;
        after = page.next;
      }
      return all;
    },
    async close() {
      await context.close().catch(() => {});
      await server.close();
      await rm(profile, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A page of the test site with the package loaded and window.producer ready. */
export async function openProducerPage(browser, page) {
  page ??= await browser.context.newPage();
  await page.goto(`${browser.url}tests/browser/pages/producer.html`);
  await page.waitForFunction(() => window.producerReady === true);
  return page;
}

/** The config the tests use: the consumer on the same origin, short intervals. */
export function testConfig(url, overrides = {}) {
  return {
    appInfo: { appName: 'browser-test', appVersion: '1.0.0' },
    platform: { browserName: 'chromium', browserVersion: '1', osName: 'linux' },
    blockedConsentCategories: { NECESSARY: false, PERFORMANCE: false, TARGETING: false },
    tlConsumerUri: `${url}api/event-batch`,
    tlPublicConsumerUri: `${url}api/public/event-batch`,
    eventBatchInterval: 200,
    monitoringInterval: 60000,
    ...overrides,
  };
}

/** Polls `check` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(check, { timeoutMs = 15000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
