// The worker's start (worker/start-up.js) with a stand-in module, store and
// claim, and fake timers: init answers before the core is created, the
// restore follows a task later, and the failures that can come on the way.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createCoreLoader } from '../../worker/core-loader.js';
import { createStartUp } from '../../worker/start-up.js';
import { createStoreStatus } from '../../worker/store-status.js';
import { fakeCoreModule } from './fake-core-module.mjs';

const consent = { seq: 1, writer: 'w', blocked: { PERFORMANCE: false, TARGETING: false }, purgedBefore: {} };
const initRequest = (fields = {}) => ({
  id: 1,
  action: 'init',
  config: { core: {}, tlConsumerUri: 'https://c/auth', tlPublicConsumerUri: 'https://c/public' },
  credentials: { clientId: 'c', token: 't' },
  consent,
  storeId: 'previous',
  ...fields,
});

/** Stored folders that open and read at once, or fail with `loadError`; records loads and drops. */
function fakeFolders({ loadError = null } = {}) {
  return {
    loads: [],
    drops: [],
    onLost: null,
    load(path, onOpened) {
      this.loads.push(path);
      if (!loadError) onOpened?.(null);
      return Promise.resolve(loadError);
    },
    drop(path, deleteDatabase) {
      this.drops.push([path, deleteDatabase]);
      return Promise.resolve();
    },
  };
}

function setUp({ folders = fakeFolders(), claimedId, createReturns = 0 } = {}) {
  const module = fakeCoreModule({ returns: { create: createReturns, restore: '{"restored":2,"outage":false}' } });
  const seen = { problems: [], closed: 0, restored: [], lost: 0, credentials: [], endpoints: [] };
  const startUp = createStartUp({
    coreLoader: createCoreLoader({
      createCore: (options) => {
        options.storedFolders = folders;
        return Promise.resolve(module);
      },
      host: { send() {}, publish() {}, problem() {} },
      close: () => seen.closed++,
    }),
    credentials: {
      set: (fresh) => seen.credentials.push(fresh),
      useEndpoints: (config) => seen.endpoints.push(config.tlConsumerUri),
    },
    storeStatus: createStoreStatus(),
    onStoreLost: () => seen.lost++,
    onRestored: (restored) => seen.restored.push(restored),
    reportProblem: (message) => seen.problems.push(message),
    close: () => seen.closed++,
    claim: async (preferred, fresh) => {
      const id = claimedId ?? preferred ?? fresh;
      return { id, path: `/tep-store-${id}` };
    },
    freshStoreId: () => 'fresh',
    locks: undefined,
    clock: { now: () => 12.34, timeOrigin: 1000 },
  });
  return { startUp, module, folders, seen };
}

test('init answers once the store is claimed and open; the core is created and the queue restored a task later', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { startUp, module, seen } = setUp();
  const answer = await startUp.init(initRequest());
  assert.deepEqual(answer, { storeId: 'previous', coordination: 'heartbeat', aliveLockHeld: false, persistent: true });
  assert.equal(startUp.ready(), false);
  assert.ok(startUp.starting(), 'messages wait for the restore');
  assert.deepEqual(module.calls, [], 'no core call before the answer is posted');
  t.mock.timers.tick(0);
  await startUp.starting();
  assert.equal(startUp.ready(), true);
  assert.deepEqual(
    module.calls.map((call) => call.name),
    ['create', 'set_consent', 'restore'],
  );
  assert.deepEqual(module.calls[0].args, ['{}', '/tep-store-previous']);
  assert.deepEqual(seen.credentials, [{ clientId: 'c', token: 't' }]);
  assert.deepEqual(seen.endpoints, ['https://c/auth']);
  assert.equal(seen.restored.length, 1);
  assert.equal(seen.restored[0].path, '/tep-store-previous');
  assert.deepEqual(seen.restored[0].summary, { restored: 2, outage: false });
  const steps = ['scriptEvaluated', 'prepareReceived', 'initReceived', 'storeClaimed', 'wasmReady', 'storeOpened'];
  for (const step of [...steps, 'storeRead', 'coreCreated', 'restored', 'replied']) {
    assert.equal(startUp.timings()[step], 12.3, step);
  }
  assert.equal(startUp.timings().timeOrigin, 1000);
});

test("where the store's database can't be opened, init answers after the restore, in memory, with the error", async () => {
  const { startUp, seen } = setUp({ folders: fakeFolders({ loadError: new Error('IndexedDB is blocked') }) });
  const answer = await startUp.init(initRequest());
  assert.deepEqual(answer, {
    storeId: 'previous',
    coordination: 'heartbeat',
    aliveLockHeld: false,
    persistent: false,
    storageError: 'IndexedDB is blocked',
  });
  assert.equal(startUp.ready(), true);
  assert.equal(seen.restored[0].storageError.message, 'IndexedDB is blocked');
});

test('a second init answers that the producer started already, with its store', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { startUp } = setUp();
  await startUp.init(initRequest());
  assert.deepEqual(await startUp.init(initRequest()), { alreadyStarted: true, storeId: 'previous' });
});

test('a config the core refuses ends the worker after init answered, and says why', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { startUp, seen } = setUp({ createReturns: 1 });
  await startUp.init(initRequest());
  t.mock.timers.tick(0);
  await assert.rejects(startUp.starting(), { code: 'config' });
  assert.deepEqual(seen.problems, ['[tep.worker.restore] the core refused the config']);
  assert.equal(seen.closed, 1);
  assert.equal(startUp.ready(), false);
});

test("the previous store is read while it is claimed; a claim of another drops that read and reads the claimed store's", async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { startUp, folders } = setUp({ claimedId: 'other' });
  const answer = await startUp.init(initRequest());
  assert.equal(answer.storeId, 'other');
  assert.deepEqual(folders.loads, ['/tep-store-previous', '/tep-store-other']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(folders.drops, [['/tep-store-previous', false]]);
});

test('prepare starts the work once: init goes on with what prepare began', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { startUp, folders } = setUp();
  const prepared = startUp.prepare({ storeId: 'previous' });
  assert.equal(startUp.prepare({ storeId: 'another' }), prepared);
  await startUp.init(initRequest());
  assert.deepEqual(folders.loads, ['/tep-store-previous']);
});

test("a lost database is stored again only for this worker's own store, and only once the queue is restored", async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { startUp, folders, seen } = setUp();
  await startUp.init(initRequest());
  folders.onLost('/tep-store-previous');
  assert.equal(seen.lost, 0, 'before the restore nothing is stored: the store marks the folder to be stored whole');
  t.mock.timers.tick(0);
  await startUp.starting();
  folders.onLost('/tep-store-adopted');
  folders.onLost('/tep-store-previous');
  assert.equal(seen.lost, 1);
});

test('the core is asked for before init created it: a not_initialised error', () => {
  const { startUp } = setUp();
  assert.throws(() => startUp.core(), { code: 'not_initialised' });
});
