// Crash consistency in the browser: the worker is killed (terminate) and the
// page reloaded at random moments while events flow; every event flush()
// reported durable must reach the consumer, exactly once after its dedupe;
// and an event sent as the page goes away must be stored before it dies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openProducerPage, testConfig, waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';

let browser;
before(async () => {
  browser = await openBrowserUnderTest();
});
after(async () => {
  await browser?.close();
});

// A fixed seed makes a failing interleaving reproducible.
function random(seed) {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

async function startProducer(page) {
  await page.evaluate(
    async (config) => {
      config.credentialsProvider = {
        bus: () => {},
        getCredentials: async () => ({ clientId: 'durability', token: 't' }),
      };
      await window.producer.init(config);
    },
    testConfig(browser.url, { eventBatchInterval: 50 }),
  );
}

function send(page, from, count) {
  return page.evaluate(
    ({ from, count }) => {
      for (let seq = from; seq < from + count; seq++) {
        window.producer.sendEvent({ name: 'durability', consentCategory: 'NECESSARY', payload: { seq } });
      }
    },
    { from, count },
  );
}

test('events reported durable survive worker kills and reloads at random moments', async () => {
  const draw = random(20261123);
  const page = await openProducerPage(browser);
  await startProducer(page);
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
    await page.reload();
    await page.waitForFunction(() => window.producerReady === true);
    await startProducer(page);
  }
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());

  const arrived = await waitFor(
    async () => {
      const events = (await browser.consumerEvents()).filter((e) => e.name === 'durability');
      const seqs = new Set(events.map((e) => JSON.parse(e.body).payload.seq));
      return [...durable].every((seq) => seqs.has(seq)) && events;
    },
    { what: 'every durable event at the consumer', timeoutMs: 60000 },
  );

  // After the consumer's dedupe by Id each event is there once: one Id per seq.
  const idsBySeq = new Map();
  for (const e of arrived) {
    const seq = JSON.parse(e.body).payload.seq;
    idsBySeq.set(seq, (idsBySeq.get(seq) ?? 0) + 1);
  }
  for (const [seq, count] of idsBySeq) assert.equal(count, 1, `event ${seq} was stored under ${count} ids`);

  // Raw duplicates: only batches whose confirmation died with their worker are
  // sent again: per interruption the batch in flight and the keepalive batch
  // of the page's hand-over, 10 events each.
  const { duplicates } = await browser.consumerStats();
  assert.ok(duplicates <= rounds * 2 * 10, `${duplicates} duplicates after ${rounds} reloads (${kills} kills)`);
  const stats = await page.evaluate(() => window.producer.getStats());
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

  await page.reload();
  await page.waitForFunction(() => window.producerReady === true);
  await startProducer(page);
  assert.equal(
    (await page.evaluate(() => window.producer.getStats())).queued,
    1,
    'session_end was stored before the tab died',
  );
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  const delivered = await waitFor(
    async () => {
      const found = (await browser.consumerEvents()).filter((e) => e.name === 'session_end');
      return found.length === 1 && found;
    },
    { what: 'session_end at the consumer' },
  );
  assert.equal(delivered[0].headers['client-id'], 'hide');
  await page.close();
});
