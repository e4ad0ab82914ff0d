// Firefox for the engine driver (tests/browser/engines.mjs): Debian's
// Firefox ESR driven by puppeteer-core over WebDriver BiDi. puppeteer-core
// never downloads a browser; it is given Debian's. Firefox has no CDP, so
// nothing can be evaluated inside a worker from here: tests read what a
// worker did through the page.
import puppeteer from 'puppeteer-core';
import { pollInPage } from '../engines.mjs';

export const firefoxPath = () => process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

// Nothing may leave the machine: services Firefox calls on its own are
// pointed nowhere (puppeteer already turns off updates, telemetry and most
// others).
const offlinePrefs = {
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'browser.safebrowsing.downloads.enabled': false,
  'extensions.getAddons.cache.enabled': false,
  'services.settings.server': 'http://127.0.0.1:9/',
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
};

function wrapPage(page, pageErrors) {
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const wrapped = {
    native: page,
    goto: (url) => page.goto(url).then(() => undefined),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    // Polled from here: puppeteer's own polls by requestAnimationFrame, which
    // a headless page that isn't painted may not run.
    waitForFunction: (fn, arg, options) => pollInPage(wrapped, fn, arg, options).then(() => undefined),
    reload: () => page.reload().then(() => undefined),
    close: () => page.close(),
    screenshot: (path) => page.screenshot({ path, fullPage: true }),
    setViewportSize: (size) => page.setViewport(size),
    click: (selector) => page.click(selector),
    fill: (selector, text) => page.locator(selector).fill(text),
    textContent: (selector) => page.$eval(selector, (element) => element.textContent),
    waitForSelector: (selector) => page.waitForSelector(selector).then(() => undefined),
  };
  return wrapped;
}

export async function launchEngine() {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: firefoxPath(),
    headless: true,
    extraPrefsFirefox: offlinePrefs,
  });
  const pageErrors = [];
  const pages = new Set(); // of the main context, which offline mode applies to
  const answers = []; // [urlPrefix, answer]
  let offline = false;

  async function preparePage(page) {
    if (answers.length) {
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        const match = answers.find(([prefix]) => request.url().startsWith(prefix));
        if (match) request.respond(match[1](request.url()));
        else request.continue();
      });
    }
    if (offline) await page.setOfflineMode(true);
    return wrapPage(page, pageErrors);
  }

  return {
    version: (await browser.version()).replace(/^firefox\//, ''),
    features: ['request-interception', 'offline'],
    async newPage() {
      const page = await browser.newPage();
      pages.add(page);
      page.once('close', () => pages.delete(page));
      return preparePage(page);
    },
    async newIsolatedContext() {
      const context = await browser.createBrowserContext();
      return {
        newPage: async () => preparePage(await context.newPage()),
        close: () => context.close(),
      };
    },
    collectPageErrors: async () => [...pageErrors],
    async setOffline(value) {
      offline = value;
      for (const page of pages) await page.setOfflineMode(value);
    },
    answerRequests(urlPrefix, answer) {
      answers.push([urlPrefix, answer]);
    },
    close: () => browser.close(),
  };
}
