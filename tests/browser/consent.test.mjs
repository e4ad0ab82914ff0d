// Consent holds wherever an event could leave: an event of a category the
// site's consent blocks is never sent, by any tab, after a reload, from a
// closed tab's adopted store, or by a worker that replaced one that missed
// the change; a purge reaches all of them. One consent per site: a change in
// any tab holds in every tab and in later visits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { producerStats, reloadPage, sendEvents, startProducer, startedPage, waitForStats } from './producer-page.mjs';
import { openBrowserUnderTest } from './engines.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

/** Sends `count` events named `name` of `category` from `page`. */
const send = (page, name, count, category = 'TARGETING') => sendEvents(page, name, count, { category });

const deliveredCount = async (name) => (await browser.consumerEvents()).filter((e) => e.name === name).length;

/** Sends a NECESSARY event from `page` and waits until the collector has it: what was sendable before it has gone. */
async function deliverMarker(page, name) {
  await send(page, name, 1, 'NECESSARY');
  await waitFor(
    async () => {
      await page.evaluate(() => window.producer.flush().catch(() => {}));
      return (await deliveredCount(name)) === 1;
    },
    { what: `the marker ${name} delivered` },
  );
}

/** Waits until `page`'s queue holds at least `count` events (it may have adopted an earlier test's), durably. */
async function queued(page, count) {
  await page.evaluate(() => window.producer.flush().catch(() => {}));
  await waitForStats(page, (s) => s.queued >= count, `${count} events queued`);
}

test('withdrawn in one tab, nothing of that category leaves any other tab, queued or new', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const withdrawing = await startedPage(browser);
  const other = await startedPage(browser);
  await send(other, 'other_tab_queued_targeting', 10);
  await queued(other, 10);
  await withdrawing.evaluate(() => window.producer.setConsentCategory({ TARGETING: true }));
  await waitFor(() => other.evaluate(() => window.producer.getConfig().blockedConsentCategories.TARGETING === true), {
    what: 'the other tab hears the withdrawal',
  });
  await send(other, 'other_tab_new_targeting', 10);
  await browser.control({ mode: 'up' });
  await deliverMarker(other, 'other_tab_marker');
  assert.equal(await deliveredCount('other_tab_queued_targeting'), 0);
  assert.equal(await deliveredCount('other_tab_new_targeting'), 0);
  const after = await producerStats(other);
  assert.ok(after.heldByConsent >= 10, 'the queued ones wait, unsent');
  assert.equal(after.counters.consentFilteredEvents.other_tab_new_targeting, 10, 'the new ones are filtered');
  await withdrawing.close();
  await other.close();
});

test('withdrawn with purge and the tab closed at once: nothing purged leaves on close or on the next visit', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const closing = await startedPage(browser);
  await send(closing, 'purged_then_closed', 8);
  await queued(closing, 8);
  await browser.control({ mode: 'up' });
  await closing.evaluate(() => window.producer.setConsentCategory({ TARGETING: true }, { purge: true }));
  await closing.close();
  // The next visit states nothing of TARGETING: the site's consent holds.
  const next = await startedPage(browser, testConfig(browser.url, { blockedConsentCategories: { TARGETING: null } }));
  await deliverMarker(next, 'purged_then_closed_marker');
  // The closed tab's store is taken over at start-up; a second marker goes after it.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await deliverMarker(next, 'purged_then_closed_marker_2');
  assert.equal(await deliveredCount('purged_then_closed'), 0);
  assert.equal(await next.evaluate(() => window.producer.getConfig().blockedConsentCategories.TARGETING), true);
  await next.close();
});

test('a stored event of a category blocked at the next init is not sent, and is sent once allowed again', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const page = await startedPage(browser);
  await send(page, 'blocked_at_next_init', 10);
  await queued(page, 10);
  await reloadPage(page);
  await browser.control({ mode: 'up' });
  await startProducer(page, testConfig(browser.url, { blockedConsentCategories: { TARGETING: true } }));
  await deliverMarker(page, 'blocked_at_next_init_marker');
  assert.equal(await deliveredCount('blocked_at_next_init'), 0);
  assert.ok((await producerStats(page)).heldByConsent >= 10);
  await page.evaluate(() => window.producer.setConsentCategory({ TARGETING: false }));
  await waitFor(
    async () => {
      await page.evaluate(() => window.producer.flush().catch(() => {}));
      return (await deliveredCount('blocked_at_next_init')) === 10;
    },
    { what: 'the held events delivered once allowed' },
  );
  await page.close();
});

test("a closed tab's events of a blocked category are not sent by the tab that adopts them", async () => {
  await browser.control({ mode: 'error', status: 503 });
  const closed = await startedPage(browser);
  await send(closed, 'adopted_while_blocked', 10);
  await queued(closed, 10);
  await closed.close();
  const adopter = await startedPage(
    browser,
    testConfig(browser.url, { blockedConsentCategories: { TARGETING: true } }),
  );
  await waitForStats(adopter, (s) => s.adoptedEvents >= 10, "the closed tab's store adopted", { timeoutMs: 30000 });
  // Up only now: the closing tab's own last batch (sent with keepalive as it
  // closed, while TARGETING was still allowed) may reach the collector after
  // close() returns, and must be refused like the rest, or it is delivered.
  await browser.control({ mode: 'up' });
  await deliverMarker(adopter, 'adopted_while_blocked_marker');
  assert.equal(await deliveredCount('adopted_while_blocked'), 0);
  assert.ok((await producerStats(adopter)).heldByConsent >= 10);
  await adopter.close();
});

test('null in one category never stops a change of another, and 0, 1 or strings are refused with the field named', async () => {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  const refusals = await page.evaluate(async (config) => {
    const idOf = async (blocked) =>
      window.producer.init({ ...config, blockedConsentCategories: blocked }).then(
        () => 'accepted',
        (error) => `${error.name} ${error.id}`,
      );
    return [await idOf({ TARGETING: 0 }), await idOf({ PERFORMANCE: 1 }), await idOf({ TARGETING: 'yes' })];
  }, testConfig(browser.url));
  assert.deepEqual(refusals, Array(3).fill('IllegalArgumentError tep.config.blockedConsentCategories'));
  await startProducer(
    page,
    testConfig(browser.url, { blockedConsentCategories: { PERFORMANCE: null, TARGETING: null } }),
  );
  const thrown = await page.evaluate(() => {
    try {
      window.producer.setConsentCategory({ TARGETING: 1 });
      return 'no error';
    } catch (error) {
      return `${error.name} ${error.id}`;
    }
  });
  assert.equal(thrown, 'IllegalArgumentError tep.config.blockedConsentCategories');
  await page.evaluate(() => window.producer.setConsentCategory({ TARGETING: true }, { purge: true }));
  await send(page, 'after_null_withdrawal', 20);
  await deliverMarker(page, 'after_null_withdrawal_marker');
  assert.equal(await deliveredCount('after_null_withdrawal'), 0);
  await page.close();
});

test('a purge survives a worker that ends before handling it', async () => {
  await browser.control({ mode: 'error', status: 503 });
  const page = await startedPage(browser);
  await send(page, 'purged_as_worker_ended', 10);
  await queued(page, 10);
  await browser.control({ mode: 'up' });
  // The worker ends before the change reaches it; the page replaces it.
  await page.evaluate(() => {
    window.workers.at(-1).terminate();
    window.producer.setConsentCategory({ TARGETING: true }, { purge: true });
  });
  await waitFor(async () => (await page.evaluate(() => window.workers.length)) === 2, { what: 'a new worker' });
  await deliverMarker(page, 'purged_as_worker_ended_marker');
  const after = await producerStats(page);
  assert.equal(await deliveredCount('purged_as_worker_ended'), 0);
  assert.equal(after.counters.consentFilteredEvents.purged_as_worker_ended, 10);
  await page.close();
});
