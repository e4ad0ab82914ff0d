// Crash consistency in the browser: the worker is killed (terminate) and the
// page reloaded at random moments while events flow; every event flush()
// reported durable must reach the consumer, exactly once after its dedupe;
// and an event sent as the page goes away must be stored before it dies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { deliveredEvents, producerStats, reloadPage, sendEvents, startedPage } from './producer-page.mjs';
import { seededRandom } from './seeded-random.mjs';
import { openBrowserUnderTest } from './engines.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

const config = () => testConfig(browser.url, { eventBatchInterval: 50 });
const withCredentials = { credentials: { clientId: 'durability', token: 't' } };
const send = (page, from, count) => sendEvents(page, 'durability', count, { from });

test('events reported durable survive worker kills and reloads at random moments', async () => {
  // A fixed seed makes a failing interleaving reproducible.
  const draw = seededRandom(20261123);
  const page = await startedPage(browser, config(), withCredentials);
  const durable = new Set();
  let next = 0;
  let kills = 0;
  const rounds = 8;
  for (let round = 0; round < rounds; round++) {
    // Half the rounds with a slow consumer, so batches are in flight at the kill.
    await browser.control(round % 2 ? { mode: 'slow', delayMs: 150 } : { mode: 'up' });
    await send(page, next, 40);
    await page.evaluate(() => window.producer.flush());
    for (let seq = next; seq < next + 40; seq++) durable.add(seq);
    next += 40;
    await send(page, next, 20); // may or may not be durable when the kill comes
    next += 20;
    await new Promise((r) => setTimeout(r, Math.floor(draw() * 120)));
    if (draw() < 0.5) {
      await page.evaluate(() => window.crashWorkers());
      kills++;
    }
    await reloadPage(page, config(), withCredentials);
  }
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());

  const arrived = await waitFor(
    async () => {
      const events = await deliveredEvents(browser, 'durability');
      const seqs = new Set(events.map((e) => JSON.parse(e.body).payload.i));
      return [...durable].every((seq) => seqs.has(seq)) && events;
    },
    { what: 'every durable event at the consumer', timeoutMs: 60000 },
  );

  // After the consumer's dedupe by Id each event is there once: one Id per seq.
  const idsBySeq = new Map();
  for (const e of arrived) {
    const seq = JSON.parse(e.body).payload.i;
    idsBySeq.set(seq, (idsBySeq.get(seq) ?? 0) + 1);
  }
  for (const [seq, count] of idsBySeq) assert.equal(count, 1, `event ${seq} was stored under ${count} ids`);

  // Raw duplicates: only batches whose confirmation died with their worker are
  // sent again: per interruption the batch in flight and the keepalive batch
  // of the page's hand-over, 10 events each.
  const { duplicates } = await browser.consumerStats();
  assert.ok(duplicates <= rounds * 2 * 10, `${duplicates} duplicates after ${rounds} reloads (${kills} kills)`);
  const stats = await producerStats(page);
  assert.equal(stats.counters.storingFailedEvents.durability ?? 0, 0);
  console.log(
    `# ${durable.size} durable events, ${idsBySeq.size} arrived, ${kills} kills, ${duplicates} raw duplicates`,
  );
  await page.close();
});

test('an event the app sends in its own visibilitychange handler is stored at once, even with a slow credentials provider', async () => {
  await browser.control({ mode: 'down' });
  let page = await openProducerPage(browser);
  await page.evaluate(
    async (config) => {
      // A provider that takes 3 s (a token refresh): while the page is going
      // away, events must not wait for it.
      let calls = 0;
      config.credentialsProvider = {
        bus: () => {},
        getCredentials: () =>
          calls++ === 0
            ? Promise.resolve({ clientId: 'hide' })
            : new Promise((r) => setTimeout(() => r({ clientId: 'hide' }), 3000)),
      };
      await window.producer.init(config);
      // The app's own handler, registered after init as apps do.
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'hidden') {
          window.producer.sendEvent({
            name: 'session_end',
            consentCategory: 'NECESSARY',
            payload: { reason: 'hidden' },
          });
        }
      });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    },
    testConfig(browser.url, { eventBatchInterval: 600000 }),
  );
  // The tab dies 300 ms later: well before the provider answers (3 s) or the
  // page would stop waiting for it (1 s).
  await new Promise((resolve) => setTimeout(resolve, 300));
  await page.evaluate(() => window.crashWorkers());

  await reloadPage(page, config(), withCredentials);
  assert.equal((await producerStats(page)).queued, 1, 'session_end was stored before the tab died');
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  const delivered = await waitFor(
    async () => {
      const found = await deliveredEvents(browser, 'session_end');
      return found.length === 1 && found;
    },
    { what: 'session_end at the consumer' },
  );
  assert.equal(delivered[0].headers['client-id'], 'hide');
  await page.close();
});
