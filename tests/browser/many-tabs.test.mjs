// Three tabs of one origin, each with its own queue, reloaded and closed at
// random while the consumer goes down and up: every event is delivered, and
// the few raw duplicates are those whose confirmation died with a tab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { deliveredEvents, producerStats, reloadPage, sendEvents, startedPage } from './producer-page.mjs';
import { seededRandom } from './seeded-random.mjs';
import { openBrowserUnderTest } from './engines.mjs';

const browser = sharedBrowser(openBrowserUnderTest);

async function runTabs({ name, seed, overrides }) {
  await fetch(`${browser.url}consumer/reset`, { method: 'POST' });
  const draw = seededRandom(seed);
  const config = testConfig(browser.url, { eventBatchInterval: 200, ...overrides });
  const credentials = { clientId: 'tabs', token: 't' };
  const newTab = () => startedPage(browser, config, { credentials });
  const tabs = [];
  for (let i = 0; i < 3; i++) tabs.push(await newTab());
  const committed = new Set();
  let next = 0;
  let interruptions = 0;
  const rounds = 10;
  for (let round = 0; round < rounds; round++) {
    if (round === 3) await browser.control({ mode: 'down' });
    if (round === 6) await browser.control({ mode: 'up' });
    for (const tab of tabs) {
      const from = next;
      next += 100;
      await sendEvents(tab, name, 100, { from });
      await tab.evaluate(() => window.producer.flush());
      for (let seq = from; seq < from + 100; seq++) committed.add(seq);
    }
    const victim = Math.floor(draw() * tabs.length);
    const action = draw();
    if (action < 0.4) {
      await reloadPage(tabs[victim], config, { credentials });
      interruptions++;
    } else if (action < 0.7) {
      await tabs[victim].close();
      tabs[victim] = await newTab();
      interruptions++;
    }
  }
  await Promise.all(tabs.map((tab) => tab.evaluate(() => window.producer.flush())));
  let missing = [];
  const events = await waitFor(
    async () => {
      const all = await deliveredEvents(browser, name);
      const seqs = new Set(all.map((e) => JSON.parse(e.body).payload.i));
      missing = [...committed].filter((seq) => !seqs.has(seq));
      return missing.length === 0 && all;
    },
    {
      what: `all ${committed.size} events at the consumer`,
      timeoutMs: 60000,
      intervalMs: 250,
      explain: async () => ({
        missing: missing.length,
        from: missing[0],
        to: missing.at(-1),
        tabs: await Promise.all(tabs.map(producerStats)),
      }),
    },
  );
  const perSeq = new Map();
  for (const e of events) {
    const seq = JSON.parse(e.body).payload.i;
    perSeq.set(seq, (perSeq.get(seq) ?? 0) + 1);
  }
  const { duplicates } = await browser.consumerStats();
  const stats = await Promise.all(tabs.map(producerStats));
  for (const tab of tabs) await tab.close();
  return {
    committed: committed.size,
    unique: perSeq.size,
    storedTwice: [...perSeq.values()].filter((n) => n > 1).length,
    duplicates,
    interruptions,
    stats,
  };
}

test('three tabs with reloads, closes and a consumer outage deliver every event, re-sending at most one batch per reload or close', async () => {
  const result = await runTabs({ name: 'tabs', seed: 7 });
  console.log(
    `# ${result.committed} events, ${result.unique} delivered, ${result.duplicates} raw duplicates, ${result.interruptions} reloads/closes`,
  );
  assert.equal(result.unique, result.committed);
  assert.equal(result.storedTwice, 0, 'no event under two ids');
  // A page going away sends its leaving batch itself; the collector's answer
  // dies with it, so those events (one batch, at most 10) go again from the store.
  assert.ok(
    result.duplicates <= 10 * result.interruptions,
    `${result.duplicates} raw duplicates after ${result.interruptions} reloads/closes`,
  );
  assert.ok(result.stats.every((s) => s.coordination === 'locks'));
});

test('without Web Locks the per-tab fallback loses nothing either', async () => {
  const result = await runTabs({
    name: 'tabs_fallback',
    seed: 11,
    overrides: { workerUrl: '/tests/browser/pages/no-locks-worker.js' },
  });
  console.log(
    `# fallback: ${result.committed} events, ${result.unique} delivered, ${result.duplicates} raw duplicates, ${result.interruptions} reloads/closes`,
  );
  assert.equal(result.unique, result.committed);
  assert.ok(result.stats.every((s) => s.coordination === 'heartbeat'));
});
