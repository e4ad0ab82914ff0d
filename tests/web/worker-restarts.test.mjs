// When an ended worker is replaced, with a fake clock: at once the first
// time, then after 1 s, 2 s, … up to 60 s while workers keep ending soon
// after they start; a worker that ran for longer than a minute starts the
// count again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createWorkerRestarts, RESTART_MAX_DELAY_MS, RESTART_RESET_MS } from '../../web/worker-restarts.js';

function setUp(t) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const restarts = createWorkerRestarts({ timers: globalThis, now: () => Date.now() });
  restarts.started();
  /** Ends the running worker `livedMs` after its start; resolves to the delay its replacement waited. */
  async function endAfter(livedMs) {
    t.mock.timers.tick(livedMs);
    const before = Date.now();
    let started = false;
    const replaced = restarts.replace().then(() => (started = true));
    for (let waited = 0; ; waited += 100) {
      t.mock.timers.tick(waited === 0 ? 0 : 100);
      await Promise.resolve();
      await Promise.resolve();
      if (started) break;
      assert.ok(waited <= RESTART_MAX_DELAY_MS, 'the replacement starts within the longest delay');
    }
    await replaced;
    return Date.now() - before;
  }
  return { endAfter };
}

test('workers that keep ending at once are replaced after 0 s, 1 s, 2 s, … up to 60 s, and stay at 60 s', async (t) => {
  const { endAfter } = setUp(t);
  const delays = [];
  for (let i = 0; i < 10; i++) delays.push(Math.round((await endAfter(10)) / 1000));
  assert.deepEqual(delays, [0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
});

test('a worker that ran longer than a minute is replaced at once again', async (t) => {
  const { endAfter } = setUp(t);
  for (let i = 0; i < 4; i++) await endAfter(10);
  assert.equal(await endAfter(RESTART_RESET_MS + 1), 0);
  assert.equal(await endAfter(10), 1000);
});
