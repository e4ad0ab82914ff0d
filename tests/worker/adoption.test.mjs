// Adopting a gone tab's store (worker/adoption.js) with stand-in stored
// folders and core, and fake timers: its database goes only once what was
// taken is stored here; a store whose events did not all fit is kept without
// them; files this release can't read are kept aside first.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createAdoption } from '../../worker/adoption.js';
import { RETRY_AFTER_FAILURE_MS } from '../../worker/group-commit.js';

/** Stored folders recording every step; `store` fails `storeFailures` times first. */
function fakeFolders({ loadError = null, storeFailures = 0 } = {}) {
  const steps = [];
  let failures = storeFailures;
  return {
    steps,
    load: async (path) => (steps.push(['load', path]), loadError),
    store: async (path, names) => {
      steps.push(['store', path, names]);
      if (failures-- > 0) throw new Error('QuotaExceededError');
    },
    drop: async (path, deleteDatabase) => steps.push(['drop', path, deleteDatabase]),
    keepAside: async (path, names, asidePath) => steps.push(['keepAside', path, names, asidePath]),
    onLost: null,
  };
}

function setUp({ report, folders = fakeFolders(), stored = async () => true } = {}) {
  const seen = { afterCoreCall: 0, registered: [], problems: [] };
  const adoption = createAdoption({
    core: () => ({ adopt: (path, now) => (folders.steps.push(['adopt', path, now]), report) }),
    storedFolders: () => folders,
    afterCoreCall: () => seen.afterCoreCall++,
    stored: async () => (folders.steps.push(['stored here']), stored()),
    reportProblem: (message) => seen.problems.push(message),
    registerKept: async (path) => seen.registered.push(path),
    clock: () => 1000,
  });
  return { adoption, folders, seen };
}

const report = (fields = {}) => ({ taken: 3, remaining: 0, keptFiles: [], changedFiles: ['queue-1'], ...fields });

test("a store whose events all fit is deleted once they are stored here, and they're counted", async () => {
  const { adoption, folders, seen } = setUp({ report: report() });
  assert.deepEqual(await adoption.adopt('/tep-store-gone'), { taken: 3, deleted: true });
  assert.deepEqual(folders.steps, [
    ['load', '/tep-store-gone'],
    ['adopt', '/tep-store-gone', 1000],
    ['stored here'],
    ['drop', '/tep-store-gone', true],
  ]);
  assert.equal(seen.afterCoreCall, 1);
  assert.equal(adoption.adoptedEvents(), 3);
});

test('a store whose events did not all fit is kept without what was taken, stored through failed writes', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const folders = fakeFolders({ storeFailures: 2 });
  const { adoption } = setUp({ report: report({ remaining: 5 }), folders });
  const adopting = adoption.adopt('/tep-store-full');
  for (let retry = 0; retry < 2; retry++) {
    await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(RETRY_AFTER_FAILURE_MS);
  }
  assert.deepEqual(await adopting, { taken: 3, deleted: false });
  assert.deepEqual(folders.steps.slice(3), [
    ['store', '/tep-store-full', ['queue-1']],
    ['store', '/tep-store-full', ['queue-1']],
    ['store', '/tep-store-full', ['queue-1']],
    ['drop', '/tep-store-full', false],
  ]);
});

test("files this release can't read are kept aside, and listed, before the store is deleted", async () => {
  const { adoption, folders, seen } = setUp({ report: report({ keptFiles: ['queue-9'] }) });
  assert.deepEqual(await adoption.adopt('/tep-store-newer'), { taken: 3, deleted: true });
  assert.deepEqual(folders.steps.slice(3), [
    ['store', '/tep-store-newer', ['queue-1']],
    ['keepAside', '/tep-store-newer', ['queue-9'], '/tep-quarantine-newer'],
    ['drop', '/tep-store-newer', true],
  ]);
  assert.deepEqual(seen.registered, ['/tep-quarantine-newer']);
  assert.equal(adoption.keptAsideFiles(), 1);
});

test("a store that cannot be loaded is let go, not deleted, and the error is the adoption's", async () => {
  const folders = fakeFolders({ loadError: new Error('blocked') });
  const { adoption } = setUp({ report: report(), folders });
  await assert.rejects(adoption.adopt('/tep-store-locked'), /blocked/);
  assert.deepEqual(folders.steps, [
    ['load', '/tep-store-locked'],
    ['drop', '/tep-store-locked', false],
  ]);
  assert.equal(adoption.adoptedEvents(), 0);
});

test('a failure after the core took the events lets the store go without deleting it', async () => {
  const folders = fakeFolders();
  const { adoption } = setUp({ report: report({ keptFiles: ['queue-9'] }), folders });
  folders.keepAside = async () => {
    throw new Error('QuotaExceededError');
  };
  await assert.rejects(adoption.adopt('/tep-store-gone'), /QuotaExceededError/);
  assert.deepEqual(folders.steps.at(-1), ['drop', '/tep-store-gone', false]);
});

test('without watching (no IndexedDB), a scan adopts nothing and nothing is counted', async () => {
  const { adoption } = setUp({ report: report() });
  assert.equal(await adoption.scan(), undefined);
  assert.equal(adoption.rejected(), 0);
  adoption.stop();
});

test("watching starts the orphan watch on this tab's store; the first scan comes a task later", (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const watched = [];
  let scans = 0;
  const adoption = createAdoption({
    core: () => ({ adopt: () => report() }),
    storedFolders: () => fakeFolders(),
    afterCoreCall: () => {},
    stored: async () => true,
    reportProblem: () => {},
    watch: ({ ownPath }) => (watched.push(ownPath), { scan: () => scans++, stop() {}, rejected: () => 4 }),
  });
  adoption.watch('/tep-store-own');
  assert.deepEqual(watched, ['/tep-store-own']);
  assert.equal(scans, 0);
  t.mock.timers.tick(0);
  assert.equal(scans, 1);
  assert.equal(adoption.rejected(), 4);
});
