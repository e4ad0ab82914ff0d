// The watch for gone tabs' stores (worker/orphan-watch.js) and the claim of
// a store (worker/store-claim.js) in heartbeat mode, as where there are no
// Web Locks: Node has BroadcastChannel and no navigator.locks. The scans'
// and heartbeats' intervals are fake; the clock is the test's.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ADOPTION_SCAN_MS, SILENCE_MS, watchForOrphans } from '../../worker/orphan-watch.js';
import { claimStore, storeAnswers } from '../../worker/store-claim.js';
import { coordination, TABS_CHANNEL } from '../../worker/store-names.js';

// BroadcastChannel delivers in a later task.
const settled = () => new Promise((resolve) => setTimeout(resolve, 20));

function setUp(t, stores = ['/tep-store-own', '/tep-store-gone', '/tep-store-alive']) {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const world = { now: 0, adopted: [], unregistered: [], registered: [] };
  const watcher = watchForOrphans({
    ownPath: '/tep-store-own',
    adopt: async (path) => (world.adopted.push(path), { taken: 1, deleted: path !== '/tep-store-kept' }),
    stores: {
      list: async () => stores,
      register: async (path) => void world.registered.push(path),
      unregister: async (path) => void world.unregistered.push(path),
      removeExpired: async () => {},
    },
    clock: () => world.now,
  });
  const otherTab = new BroadcastChannel(TABS_CHANNEL);
  t.after(() => {
    watcher.stop();
    otherTab.close();
  });
  return { watcher, world, otherTab };
}

test('without Web Locks, tabs tell they are alive by heartbeats', () => {
  assert.equal(coordination(), 'heartbeat');
});

test('a store silent for the silence limit is adopted and unlisted; one heard from lately is not; none before the watch listened that long', async (t) => {
  const { watcher, world, otherTab } = setUp(t);
  otherTab.postMessage({ alive: '/tep-store-alive' });
  await settled();
  world.now = SILENCE_MS - 1;
  await watcher.scan();
  assert.deepEqual(world.adopted, [], 'not listened long enough yet');
  world.now = SILENCE_MS;
  otherTab.postMessage({ alive: '/tep-store-alive' });
  await settled();
  world.now = SILENCE_MS + 1;
  await watcher.scan();
  assert.deepEqual(world.adopted, ['/tep-store-gone']);
  assert.deepEqual(world.unregistered, ['/tep-store-gone']);
  assert.deepEqual(world.registered, ['/tep-store-own', '/tep-store-own'], 'each scan lists this tab again');
});

test('a store kept with events that did not fit stays listed', async (t) => {
  const { watcher, world } = setUp(t, ['/tep-store-kept']);
  world.now = SILENCE_MS;
  await watcher.scan();
  assert.deepEqual(world.adopted, ['/tep-store-kept']);
  assert.deepEqual(world.unregistered, []);
});

test('the scans come every scan interval', async (t) => {
  const { world } = setUp(t);
  world.now = SILENCE_MS;
  t.mock.timers.tick(ADOPTION_SCAN_MS);
  await settled();
  assert.deepEqual(world.adopted, ['/tep-store-gone', '/tep-store-alive']);
});

test('messages of another shape are counted and ignored', async (t) => {
  const { watcher, otherTab } = setUp(t);
  otherTab.postMessage({ alive: '/elsewhere' });
  otherTab.postMessage('noise');
  await settled();
  assert.equal(watcher.rejected(), 2);
});

test("a new tab that asks for a live tab's store hears it is taken, and claims another; a store no one answers for is claimed", async (t) => {
  setUp(t);
  assert.equal(await storeAnswers('/tep-store-own'), true);
  assert.deepEqual(await claimStore('own', 'fresh'), { id: 'fresh', path: '/tep-store-fresh' });
  assert.deepEqual(await claimStore('free', 'fresh'), { id: 'free', path: '/tep-store-free' });
});
