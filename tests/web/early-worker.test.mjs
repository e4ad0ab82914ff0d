// The head-start worker, with fake timers and a fake worker: it is told to
// prepare the tab's store at once and is handed the wasm the page compiled
// (or null, for it to fetch its own); init takes it once, unless the config
// names its own worker or wasm, or it failed to load, when it is ended.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeWorker } from './fake-worker.mjs';
import { startEarlyWorker } from '../../web/early-worker.js';

/** The early worker, its wasm compiled after `compileMs` (rejected if `compileFails`). */
function setUp(t, { compileMs = 10, compileFails = false } = {}) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const worker = fakeWorker();
  const module = { compiled: true };
  const early = startEarlyWorker({
    canStart: true,
    createWorker: () => worker,
    compileWasm: () =>
      new Promise((resolve, reject) =>
        setTimeout(() => (compileFails ? reject(new Error('CSP')) : resolve(module)), compileMs),
      ),
    storeId: 'store-1',
    now: () => 1234,
  });
  return { early, worker, module };
}

const flushPromises = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test("the worker prepares the tab's store at once and gets the compiled wasm when it is ready", async (t) => {
  const { worker, module } = setUp(t);
  assert.deepEqual(worker.posted, [{ action: 'prepare', storeId: 'store-1', wasmFromPage: true }]);
  t.mock.timers.tick(10);
  await flushPromises();
  assert.deepEqual(worker.posted[1], { action: 'wasm', module });
});

test('a wasm the page could not compile is handed over as null: the worker fetches its own', async (t) => {
  const { worker } = setUp(t, { compileFails: true });
  t.mock.timers.tick(10);
  await flushPromises();
  assert.deepEqual(worker.posted[1], { action: 'wasm', module: null });
});

test('init takes it once, with when it was created', (t) => {
  const { early, worker } = setUp(t);
  assert.deepEqual(early.take({}), { worker, createdAt: 1234 });
  assert.equal(early.take({}), null);
  assert.equal(worker.terminated, false);
});

test('a config with its own worker or wasm ends it', (t) => {
  for (const config of [{ workerUrl: '/w.js' }, { wasmUrl: '/c.wasm' }]) {
    const { early, worker } = setUp(t);
    assert.equal(early.take(config), null);
    assert.equal(worker.terminated, true);
    t.mock.timers.reset();
  }
});

test('a worker that failed to load is ended, for init to start its own and say why', (t) => {
  const { early, worker } = setUp(t);
  worker.fail();
  assert.equal(early.take({}), null);
  assert.equal(worker.terminated, true);
});

test('where no worker can run (server-side rendering) there is none to take', () => {
  const early = startEarlyWorker({ canStart: false, createWorker: () => assert.fail('not created') });
  assert.equal(early.take({}), null);
});

test('a worker that cannot be created is left to init', () => {
  const early = startEarlyWorker({
    canStart: true,
    createWorker: () => {
      throw new Error('CSP worker-src');
    },
    storeId: undefined,
  });
  assert.equal(early.take({}), null);
});
