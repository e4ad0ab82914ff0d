// Group commit with fake timers: changes within the window share one write,
// urgent waits skip it, a failed write answers its waiters at once and is
// retried, and writes never overlap.
import assert from 'node:assert/strict';
import { test, mock } from 'node:test';
import { createGroupCommit, GROUP_COMMIT_WINDOW_MS, RETRY_AFTER_FAILURE_MS } from '../../worker/group-commit.js';

/** A core whose files change when `change(name)` is called, and a store that records its writes. */
function world({ persistent = true } = {}) {
  let generation = 0;
  let changed = new Set();
  const writes = [];
  let failNext = 0;
  let pending = null; // the write in progress: { names, finish() }
  const core = {
    generation: () => generation,
    takeChangedFiles: () => {
      const names = [...changed];
      changed = new Set();
      return names;
    },
    persistState: () => {},
  };
  const results = [];
  const commit = createGroupCommit({
    core,
    persistent: () => persistent,
    onResult: (error) => results.push(error ? 'failed' : 'stored'),
    store: (names) =>
      new Promise((resolve, reject) => {
        assert.equal(pending, null, 'a write started while another was in progress');
        pending = {
          names,
          finish: () => {
            pending = null;
            if (failNext > 0) {
              failNext--;
              reject(new Error('QuotaExceededError'));
            } else {
              writes.push(names);
              resolve();
            }
          },
        };
      }),
  });
  return {
    commit,
    writes,
    results,
    change(name) {
      changed.add(name);
      generation++;
      commit.changed();
    },
    failNextWrites(count) {
      failNext = count;
    },
    /** Completes the write in progress, if any, and lets its promise callbacks run. */
    async finishWrite() {
      pending?.finish();
      for (let i = 0; i < 5; i++) await Promise.resolve();
    },
    get writing() {
      return pending !== null;
    },
  };
}

async function settleMicrotasks() {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

test('changes within the window share one write', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const w = world();
  w.change('a');
  t.mock.timers.tick(GROUP_COMMIT_WINDOW_MS / 2);
  w.change('b');
  assert.equal(w.writing, false, 'nothing written inside the window');
  t.mock.timers.tick(GROUP_COMMIT_WINDOW_MS / 2);
  await settleMicrotasks();
  assert.equal(w.writing, true);
  await w.finishWrite();
  assert.deepEqual(w.writes, [['a', 'b']]);
  assert.equal(w.commit.isDurable(), true);
});

test('an urgent wait skips the window and resolves true once stored', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const w = world();
  w.change('a');
  const made = w.commit.durable(true);
  t.mock.timers.tick(0);
  await settleMicrotasks();
  assert.equal(w.writing, true, 'written without waiting for the window');
  await w.finishWrite();
  assert.equal(await made, true);
});

/** A world whose write of 'a' is under way, with 'b' changed meanwhile. */
async function changedDuringWrite(t) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const w = world();
  w.change('a');
  t.mock.timers.tick(GROUP_COMMIT_WINDOW_MS);
  await settleMicrotasks();
  w.change('b');
  return w;
}

test('a change during a write waits for it, then goes in the next write', async (t) => {
  const w = await changedDuringWrite(t);
  const made = w.commit.durable(true);
  t.mock.timers.tick(0);
  await settleMicrotasks();
  await w.finishWrite(); // 'a'; the next write starts at once for the waiter
  t.mock.timers.tick(0);
  await settleMicrotasks();
  await w.finishWrite();
  assert.deepEqual(w.writes, [['a'], ['b']]);
  assert.equal(await made, true);
});

test('a failed write answers its waiters false at once, keeps the files and retries them', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const w = world();
  w.failNextWrites(1);
  w.change('a');
  const made = w.commit.durable(true);
  t.mock.timers.tick(0);
  await settleMicrotasks();
  await w.finishWrite();
  assert.equal(await made, false);
  assert.deepEqual(w.results, ['failed']);
  assert.equal(w.commit.isDurable(), false);
  t.mock.timers.tick(RETRY_AFTER_FAILURE_MS);
  await settleMicrotasks();
  await w.finishWrite();
  assert.deepEqual(w.writes, [['a']]);
  assert.deepEqual(w.results, ['failed', 'stored']);
  assert.equal(w.commit.isDurable(), true);
});

test('stored() waits through failed writes and resolves true once a retry stores everything', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const w = world();
  w.failNextWrites(2);
  w.change('a');
  let stored = null;
  w.commit.stored(true).then((made) => (stored = made));
  t.mock.timers.tick(0);
  await settleMicrotasks();
  await w.finishWrite();
  for (let retry = 0; retry < 2; retry++) {
    t.mock.timers.tick(RETRY_AFTER_FAILURE_MS);
    await settleMicrotasks();
    await w.finishWrite();
    if (retry === 0) assert.equal(stored, null, 'still waiting after the second failed write');
  }
  assert.deepEqual(w.results, ['failed', 'failed', 'stored']);
  assert.equal(stored, true);
});

test('without IndexedDB nothing is written and durable() is false', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const w = world({ persistent: false });
  w.change('a');
  t.mock.timers.tick(GROUP_COMMIT_WINDOW_MS * 10);
  await settleMicrotasks();
  assert.equal(w.writing, false);
  assert.equal(await w.commit.durable(true), false);
  assert.equal(await w.commit.stored(true), false, 'stored() does not wait for a write that never comes');
});

test('a wait that is not urgent, made during a write, waits for the next window like any change', async (t) => {
  const w = await changedDuringWrite(t);
  const made = w.commit.durable(false);
  await w.finishWrite(); // 'a'
  t.mock.timers.tick(0);
  await settleMicrotasks();
  assert.equal(w.writing, false, "'b' is not written at once");
  t.mock.timers.tick(GROUP_COMMIT_WINDOW_MS);
  await settleMicrotasks();
  await w.finishWrite();
  assert.deepEqual(w.writes, [['a'], ['b']]);
  assert.equal(await made, true);
});
