// A pass over the stores tries each gone tab's store; one whose attempt
// never settles (IndexedDB holding its open behind a delete) does not hold
// up the others, and is not tried again while its attempt still runs.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ATTEMPT_WAIT_MS, createOrphanScan } from '../../worker/orphan-scan.js';

/** A tryAdopt whose attempts on `stuck` paths wait until released. */
function adopter(stuck = []) {
  const tried = [];
  const release = new Map();
  return {
    tried,
    release: (path) => release.get(path)?.(),
    tryAdopt(path) {
      tried.push(path);
      if (!stuck.includes(path)) return Promise.resolve();
      return new Promise((resolve) => release.set(path, resolve));
    },
  };
}

/** Lets the attempts' promise chains run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

test("a store whose attempt never settles does not hold up the other stores' attempts", async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { tried, tryAdopt } = adopter(['/stuck']);
  const scan = createOrphanScan({ ownPath: '/own', listStores: async () => ['/stuck', '/own', '/gone'], tryAdopt });
  const pass = scan();
  await settled();
  assert.deepEqual(tried, ['/stuck'], 'the pass waits for a while first');
  t.mock.timers.tick(ATTEMPT_WAIT_MS);
  await pass;
  assert.deepEqual(tried, ['/stuck', '/gone']);
});

test('a later pass skips a store whose attempt is still running, and tries it again once it settled', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { tried, tryAdopt, release } = adopter(['/stuck']);
  const scan = createOrphanScan({ ownPath: '/own', listStores: async () => ['/stuck', '/gone'], tryAdopt });
  const first = scan();
  await settled();
  t.mock.timers.tick(ATTEMPT_WAIT_MS);
  await first;
  await scan();
  assert.deepEqual(tried, ['/stuck', '/gone', '/gone']);
  release('/stuck');
  await settled();
  const third = scan();
  await settled();
  t.mock.timers.tick(ATTEMPT_WAIT_MS);
  await third;
  assert.deepEqual(tried, ['/stuck', '/gone', '/gone', '/stuck', '/gone']);
});

test('a failed attempt is reported and the pass goes on', async () => {
  const errors = [];
  const tried = [];
  const scan = createOrphanScan({
    ownPath: '/own',
    listStores: async () => ['/broken', '/gone'],
    tryAdopt: async (path) => {
      tried.push(path);
      if (path === '/broken') throw new Error('unreadable');
    },
    onError: (error) => errors.push(error.message),
  });
  await scan();
  assert.deepEqual(tried, ['/broken', '/gone']);
  assert.deepEqual(errors, ['unreadable']);
});

test('passes never overlap, and a store list that cannot be read is reported', async () => {
  const errors = [];
  let listings = 0;
  const scan = createOrphanScan({
    ownPath: '/own',
    listStores: async () => {
      listings++;
      await settled();
      throw new Error('IndexedDB refused');
    },
    tryAdopt: async () => {},
    onError: (error) => errors.push(error.message),
  });
  await Promise.all([scan(), scan()]);
  assert.equal(listings, 1);
  assert.deepEqual(errors, ['IndexedDB refused']);
  await scan();
  assert.equal(listings, 2);
});

test('a pass asked for while one runs resolves with that pass, once its stores were tried', async () => {
  const { tried, tryAdopt, release } = adopter(['/slow']);
  const scan = createOrphanScan({ ownPath: '/own', listStores: async () => ['/slow'], tryAdopt });
  const first = scan();
  const asked = scan();
  let answered = false;
  asked.then(() => (answered = true));
  await settled();
  assert.equal(answered, false, 'not before the store was tried');
  release('/slow');
  await Promise.all([first, asked]);
  assert.deepEqual(tried, ['/slow'], 'one pass');
});
