// Chromium for the engine driver (tests/browser/engines.mjs): Debian's
// Chromium driven by playwright-core, each context a persistent profile of
// its own, as openBrowser() in harness.mjs opens it.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, chromiumPath } from '../harness.mjs';

async function openContext(pageErrors) {
  const profile = await mkdtemp(join(tmpdir(), 'tep-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    args: chromiumArgs,
    headless: true,
  });
  context.on('page', (page) => page.on('pageerror', (error) => pageErrors.push(String(error))));
  return {
    context,
    newPage: async () => wrapPage(await context.newPage()),
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

function wrapPage(page) {
  return {
    native: page,
    goto: (url) => page.goto(url).then(() => undefined),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitForFunction: (fn, arg, { timeout = 30000 } = {}) =>
      page.waitForFunction(fn, arg, { timeout }).then(() => undefined),
    reload: () => page.reload().then(() => undefined),
    close: () => page.close(),
    screenshot: (path) => page.screenshot({ path, fullPage: true }),
    setViewportSize: (size) => page.setViewportSize(size),
    click: (selector) => page.click(selector),
    fill: (selector, text) => page.fill(selector, text),
    textContent: (selector) => page.textContent(selector),
    waitForSelector: (selector) => page.waitForSelector(selector).then(() => undefined),
  };
}

export async function launchEngine() {
  const pageErrors = [];
  const main = await openContext(pageErrors);
  const isolated = [];
  return {
    version: main.context.browser()?.version() ?? (await versionOfNewPage(main)),
    features: ['request-interception', 'offline', 'cdp'],
    context: main.context,
    newPage: () => main.newPage(),
    async newIsolatedContext() {
      const context = await openContext(pageErrors);
      isolated.push(context);
      return context;
    },
    collectPageErrors: async () => [...pageErrors],
    setOffline: (offline) => main.context.setOffline(offline),
    answerRequests: (urlPrefix, answer) =>
      main.context.route(
        (url) => url.href.startsWith(urlPrefix),
        (route) => route.fulfill(answer(route.request().url())),
      ),
    async close() {
      for (const context of isolated) await context.close();
      await main.close();
    },
  };
}

// A persistent context has no browser object to ask: the user agent says it.
async function versionOfNewPage(context) {
  const page = await context.context.newPage();
  const agent = await page.evaluate(() => navigator.userAgent);
  await page.close();
  return agent.match(/Chrome\/([\d.]+)/)?.[1] ?? 'unknown';
}
