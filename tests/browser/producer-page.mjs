// What the browser tests do with the producer on a page of the test site:
// start it, send numbered events, read its stats, and wait for its queue or
// for the collector to hold what was sent. Each call takes the page it acts
// on, so a test with several tabs makes the same calls for each; the calls
// that read the collector take the browser of openBrowser() or
// openBrowserUnderTest().
import { openProducerPage, testConfig, waitFor } from './harness.mjs';

/**
 * Calls init(config) on `page`'s producer and waits for it. With
 * `credentials` ({ clientId, token? }), its credentials provider answers them.
 */
export function startProducer(page, config, { credentials } = {}) {
  return page.evaluate(
    async ({ config, credentials }) => {
      if (credentials) config.credentialsProvider = { bus: () => {}, getCredentials: async () => credentials };
      await window.producer.init(config);
    },
    { config, credentials },
  );
}

/**
 * A producer page (a new tab, or `page` when given) whose producer init(config)
 * has started, with testConfig's defaults unless `config` says otherwise.
 */
export async function startedPage(browser, config = testConfig(browser.url), { credentials, page } = {}) {
  const started = await openProducerPage(browser, page);
  await startProducer(started, config, { credentials });
  return started;
}

/**
 * Reloads `page` and waits until the package is loaded again; with `config`,
 * starts the producer again as startProducer(page, config, options) does.
 */
export async function reloadPage(page, config, options) {
  await page.reload();
  await page.waitForFunction(() => window.producerReady === true);
  if (config) await startProducer(page, config, options);
}

/**
 * Sends `count` events named `name` from `page`, of consent category
 * `category`, each with the payload { i, ...extra }, i counting from `from`.
 */
export function sendEvents(page, name, count, { from = 0, category = 'NECESSARY', extra = {} } = {}) {
  return page.evaluate(
    ({ name, count, from, category, extra }) => {
      for (let i = from; i < from + count; i++)
        window.producer.sendEvent({ name, consentCategory: category, payload: { i, ...extra } });
    },
    { name, count, from, category, extra },
  );
}

/** What `page`'s getStats() resolves to. */
export function producerStats(page) {
  return page.evaluate(() => window.producer.getStats());
}

/**
 * Waits until `page`'s stats satisfy `holds(stats)`, and resolves to them; on
 * timeout the error shows the last stats. `options` as for waitFor.
 */
export function waitForStats(page, holds, what, options = {}) {
  return waitFor(
    async () => {
      const stats = await producerStats(page);
      return stats && holds(stats) && stats;
    },
    { what, explain: () => producerStats(page), ...options },
  );
}

/** Waits until `page`'s queue holds at least `count` events, all of them stored (durable). */
export function waitUntilStored(page, count, what = `${count} events durable in IndexedDB`) {
  return waitForStats(page, (stats) => stats.queued >= count && stats.durable, what);
}

/** The events named `name` that the collector holds, every copy. */
export async function deliveredEvents(browser, name) {
  return (await browser.consumerEvents()).filter((event) => event.name === name);
}

/** The payload numbers (i) of the events named `name` that the collector holds, one per copy. */
export async function deliveredNumbers(browser, name) {
  return (await deliveredEvents(browser, name)).map((event) => JSON.parse(event.body).payload.i);
}
