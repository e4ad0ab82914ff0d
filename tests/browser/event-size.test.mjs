// An event far over the spec's 20 KiB limit is refused on the page: it never
// crosses to the worker (whose wasm memory would have to hold it, and never
// shrinks again), and it is counted as the worker counts one just over the
// limit, as a validation failure for being too large.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

test('an event of megabytes never crosses to the worker, and is counted as too large', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  await page.evaluate(
    async (config) => {
      // The longest event text posted to the worker.
      window.longestCrossing = 0;
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message, ...rest) {
        for (const json of message?.events ?? [])
          window.longestCrossing = Math.max(window.longestCrossing, json.length);
        return post.call(this, message, ...rest);
      };
      window.problems = [];
      const error = console.error;
      console.error = (...args) => {
        window.problems.push(args.join(' '));
        error.apply(console, args);
      };
      await window.producer.init(config);
      window.producer.sendEvent({ name: 'huge', consentCategory: 'NECESSARY', payload: { blob: 'x'.repeat(8 << 20) } });
      window.producer.sendEvent({ name: 'small', consentCategory: 'NECESSARY', payload: { n: 1 } });
    },
    testConfig(browser.url, { strictMode: true }),
  );
  await waitFor(async () => (await browser.consumerEvents()).some((e) => e.name === 'small'), {
    what: 'the small event delivered',
  });
  const stats = await page.evaluate(() => window.producer.getStats());
  assert.equal(stats.counters.validationFailedEvents.huge, 1);
  assert.ok((await page.evaluate(() => window.longestCrossing)) < 20480, 'only the small event crossed');
  assert.deepEqual(
    (await page.evaluate(() => window.problems)).filter((p) => p.includes('huge')),
    ["event-producer: [tep.event.too_large] event 'huge' is 20480 bytes or more"],
  );
  await page.close();
});
