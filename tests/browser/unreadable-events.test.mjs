// Event texts that reach the worker from another script of the page, not
// through sendEvent's JSON.stringify: the core's JSON reader refuses each
// (the text of its error names a raw control character in hex, "<U+0001>",
// which the wasm formats with libc's integer-only snprintf,
// worker/integer_snprintf.cpp), counts it under its name, and delivers the
// events after them. Runs in every engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, waitFor } from './harness.mjs';
import { deliveredEvents, producerStats, sendEvents, startedPage } from './producer-page.mjs';
import { openBrowserUnderTest } from './engines.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

const UNREADABLE = {
  raw_control: '{"name":"raw_control","consentCategory":"NECESSARY","payload":{"s":"a\u0001b"}}',
  raw_newline: '{"name":"raw_newline","consentCategory":"NECESSARY","payload":{"s":"a\nb"}}',
  cut_off: '{"name":"cut_off","consentCategory":"NECESSARY","payload":{"s":',
  bad_escape: '{"name":"bad_escape","consentCategory":"NECESSARY","payload":{"s":"\\x41"}}',
};

test('event texts the core cannot read are counted and the worker keeps delivering', async () => {
  await browser.control({ mode: 'up' });
  const page = await startedPage(browser);
  await page.evaluate(
    (events) => window.workers[0].postMessage({ action: 'events', events }),
    Object.values(UNREADABLE),
  );
  await sendEvents(page, 'after_unreadable', 3);
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await deliveredEvents(browser, 'after_unreadable')).length === 3, {
    what: 'the events after the unreadable ones',
  });
  const { counters } = await producerStats(page);
  for (const name of Object.keys(UNREADABLE))
    assert.equal(counters.validationFailedEvents[name], 1, `${name} not counted`);
  for (const name of Object.keys(UNREADABLE)) assert.deepEqual(await deliveredEvents(browser, name), []);
  await page.close();
});
