// What a credentials provider answers is checked, never fatal: a provider
// that throws is a failing one (the events go in the logged-out form), an
// answer with numbers is taken as @tidal-music/event-producer takes it (as
// strings), and an answer that can't be credentials is refused with an
// error on the bus and in getStats(). init resolves and every event is
// delivered in each case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { deliveredEvents } from './producer-page.mjs';
import { tokenFingerprint } from '../../demo/consumer/redaction.mjs';

const EVENTS = 20;

const browser = sharedBrowser(openBrowserUnderTest);

/**
 * Opens a page whose provider answers as `kind` says, calls init, sends
 * EVENTS events named `name` and flushes. Resolves to init's outcome
 * ('resolved' or its error's message) and the page.
 */
async function sendWithProvider(kind, name) {
  await browser.control({ mode: 'up' });
  const page = await openProducerPage(browser);
  const outcome = await page.evaluate(
    async ({ config, kind, name, count }) => {
      const answers = {
        throwing: () => {
          throw new Error('no user yet');
        },
        numbers: async () => ({ clientId: 12345, token: 678 }),
        unusable: async () => ({ clientId: { id: 'not a string' }, token: 'token-of-an-object-client' }),
      };
      config.credentialsProvider = { bus: () => {}, getCredentials: answers[kind] };
      window.busDetails = [];
      window.producer.bus((event) => window.busDetails.push(event.detail));
      let outcome = 'resolved';
      try {
        await window.producer.init(config);
      } catch (error) {
        outcome = String(error?.message ?? error);
      }
      for (let i = 0; i < count; i++) window.producer.sendEvent({ name, consentCategory: 'NECESSARY', payload: { i } });
      await window.producer.flush().catch(() => {});
      return outcome;
    },
    { config: testConfig(browser.url), kind, name, count: EVENTS },
  );
  return { outcome, page };
}

/** The events named `name` the consumer received, once all EVENTS are there. */
async function delivered(name) {
  const events = await waitFor(
    async () => {
      const events = await deliveredEvents(browser, name);
      return events.length >= EVENTS ? events : null;
    },
    { what: `${EVENTS} events named ${name} delivered` },
  );
  assert.equal(events.length, EVENTS);
  return events;
}

/** All EVENTS events named `name` arrived in the logged-out form of their headers. */
async function deliveredLoggedOut(name) {
  for (const event of await delivered(name)) {
    assert.equal(event.headers.authorization, undefined);
    assert.equal(event.headers['client-id'], 'clientIDMissing!');
  }
}

test('a provider whose getCredentials throws synchronously: init resolves and the events go logged out', async () => {
  const { outcome, page } = await sendWithProvider('throwing', 'provider_throws');
  assert.equal(outcome, 'resolved');
  await deliveredLoggedOut('provider_throws');
  await page.close();
});

test('a provider answering numbers: init resolves and the events go with them as strings', async () => {
  const { outcome, page } = await sendWithProvider('numbers', 'provider_numbers');
  assert.equal(outcome, 'resolved');
  for (const event of await delivered('provider_numbers')) {
    assert.equal(event.headers['client-id'], '12345');
    assert.equal(event.headers.authorization, tokenFingerprint('678'));
  }
  const stats = await page.evaluate(() => window.producer.getStats());
  assert.equal(stats.credentialsError, null);
  await page.close();
});

test('an answer that cannot be credentials is refused on the bus and in getStats, and the events go logged out', async () => {
  const { outcome, page } = await sendWithProvider('unusable', 'provider_unusable');
  assert.equal(outcome, 'resolved');
  await deliveredLoggedOut('provider_unusable');
  const expected =
    "[tep.credentials.invalid] the credentials provider's clientId is an object, not a string or a number: its answer is not used";
  const stats = await page.evaluate(() => window.producer.getStats());
  assert.equal(stats.credentialsError, expected);
  const refusals = await page.evaluate(() =>
    window.busDetails.filter((d) => d.name === 'CredentialsError').map((d) => ({ id: d.id, message: d.message })),
  );
  assert.deepEqual(refusals, [{ id: 'tep.credentials.invalid', message: expected }]);
  await page.close();
});
