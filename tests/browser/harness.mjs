// What every browser test needs: the demo server (reference consumer +
// static files) on a free loopback port with a client for its consumer, and
// a browser. Tests written once for every engine open theirs with
// openBrowserUnderTest() from ./engines.mjs; openBrowser() here is the
// Chromium-only form (playwright-core, Debian's Chromium, a profile that
// persists across reloads so IndexedDB does) for tests that need Chromium.
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoServer } from '../../demo/serve.mjs';

// Flags that work on these machines: no sandbox as root, and no background
// traffic to hosts the network can't reach.
export const chromiumArgs = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumPath = () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The demo server on a free port with a fresh data folder, and the calls a
 * test makes to its consumer: faults (control), counts, and what it stored.
 */
export async function startTestServer() {
  const dataDir = await mkdtemp(join(tmpdir(), 'tep-consumer-'));
  const server = await startDemoServer({ port: 0, dataDir, quiet: true });
  return {
    server,
    url: server.url,
    async control(fault) {
      const res = await fetch(`${server.url}consumer/control`, {
        method: 'POST',
        body: JSON.stringify(fault),
        headers: { 'Content-Type': 'application/json' },
      });
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
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Chromium with a persistent profile, and the test server: for Chromium-only tests. */
export async function openBrowser() {
  const profile = await mkdtemp(join(tmpdir(), 'tep-profile-'));
  const testServer = await startTestServer();
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: chromiumArgs,
    headless: true,
  });
  const pageErrors = [];
  context.on('page', (page) => page.on('pageerror', (e) => pageErrors.push(String(e))));
  return {
    ...testServer,
    context,
    pageErrors,
    async close() {
      await context.close().catch(() => {});
      await testServer.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The browser every test of a file shares: `open` (openBrowser, or
 * openBrowserUnderTest from ./engines.mjs) runs before the file's first test
 * and the browser closes after its last. Call it at the top of the file; the
 * object it returns takes the opened browser's fields (url, control, newPage…)
 * once the first test runs. Not for a file with a before() hook of its own
 * that uses the browser: node 20 starts a file's top-level before() hooks
 * together, not one after the other.
 */
export function sharedBrowser(open) {
  const browser = {};
  before(async () => {
    Object.assign(browser, await open());
  });
  after(async () => {
    await browser.close?.();
  });
  return browser;
}

/**
 * A page of the test site with the package loaded and window.producer ready.
 * Takes either browser: openBrowser()'s (playwright pages) or
 * openBrowserUnderTest()'s (the engine driver's pages).
 */
export async function openProducerPage(browser, page) {
  page ??= browser.newPage ? await browser.newPage() : await browser.context.newPage();
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

/**
 * Polls `check` until it returns a truthy value or `timeoutMs` passes. On
 * timeout, what `explain()` resolves to (the state the check looked at) is
 * in the error.
 */
export async function waitFor(check, { timeoutMs = 15000, intervalMs = 50, what = 'condition', explain } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) {
      const state = explain ? await explain().catch((error) => `(could not be read: ${error.message})`) : last;
      throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(state)})`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
