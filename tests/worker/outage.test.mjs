// The worker's outage (worker/outage.js) over a stand-in core and tabs'
// channel: nothing is told before the restore, the delivery outage is the
// origin's and the others this tab's own, another tab's word is advice, and
// an outage of a gone tab ends on this tab's next delivery.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createOutage } from '../../worker/outage.js';

function setUp({ online = true } = {}) {
  const seen = { told: [], published: [], retried: [], afterCoreCall: 0 };
  const core = { outage: false, delivered: 0 };
  let handlers = null;
  const outage = createOutage({
    post: (change) => seen.told.push(change),
    core: () => ({
      inOutage: () => core.outage,
      stats: () => ({ delivered: core.delivered, queued: 0 }),
      retryEarly: (now) => seen.retried.push(now),
    }),
    online: () => online,
    afterCoreCall: () => seen.afterCoreCall++,
    join: (ownPath, given) => {
      handlers = given;
      return { publish: (change) => seen.published.push(change), rejected: () => 2, close() {} };
    },
    clock: () => 1000,
  });
  return { outage, seen, core, remote: (change) => handlers.onRemoteChange(change), asked: () => handlers.inOutage() };
}

test("before the restore the core's news is not told: the restore's state is, once", () => {
  const { outage, seen } = setUp();
  outage.fromCore(true, 'delivery');
  outage.storage(true);
  assert.deepEqual(seen.told, []);
  assert.equal(outage.rejected(), 0);
  outage.start('/tep-store-own', { delivery: true, storage: false });
  assert.deepEqual(seen.told, [{ outage: true, reason: 'delivery' }]);
  assert.equal(outage.rejected(), 2);
});

test("the core's delivery outage is shared with the other tabs; a full queue is this tab's own", () => {
  const { outage, seen } = setUp();
  outage.start('/tep-store-own', { delivery: false, storage: false });
  outage.fromCore(true, 'queue_full');
  outage.fromCore(true, 'delivery');
  outage.fromCore(false, 'queue_full');
  assert.deepEqual(seen.published, [true]);
  assert.deepEqual(seen.told.slice(1), [
    { outage: true, reason: 'queue_full' },
    { outage: true, reason: 'delivery' },
  ]);
});

test("another tab's end of an outage makes this tab retry at once, if online; its start is told, not acted on", () => {
  const { outage, seen, remote, asked } = setUp();
  outage.start('/tep-store-own', { delivery: false, storage: false });
  remote(true);
  assert.equal(asked(), true, 'a tab that asks hears of the outage');
  assert.deepEqual(seen.retried, []);
  remote(false);
  assert.deepEqual(seen.retried, [1000]);
  assert.equal(seen.afterCoreCall, 1);
  assert.deepEqual(seen.told.slice(1), [
    { outage: true, reason: 'delivery' },
    { outage: false, reason: undefined },
  ]);
});

test('offline, the end heard from another tab triggers no retry', () => {
  const { outage, seen, remote } = setUp({ online: false });
  outage.start('/tep-store-own', { delivery: false, storage: false });
  remote(false);
  assert.deepEqual(seen.retried, []);
});

test("an outage of another tab ends on this tab's next delivery, and the others hear it", () => {
  const { outage, seen, core, remote } = setUp();
  outage.start('/tep-store-own', { delivery: false, storage: false });
  remote(true);
  outage.acrossOutcome(() => {});
  assert.deepEqual(seen.published, [], 'nothing delivered: the outage goes on');
  outage.acrossOutcome(() => (core.delivered += 2));
  assert.deepEqual(seen.published, [false]);
  assert.deepEqual(seen.told.at(-1), { outage: false, reason: undefined });
});

test("a delivery while the core is in its own outage ends nothing: only the core's confirmation does", () => {
  const { outage, seen, core, remote } = setUp();
  outage.start('/tep-store-own', { delivery: false, storage: false });
  remote(true);
  core.outage = true;
  outage.acrossOutcome(() => (core.delivered += 1));
  assert.deepEqual(seen.published, []);
});

test('failing writes are a storage outage, told before any other reason', () => {
  const { outage, seen } = setUp();
  outage.start('/tep-store-own', { delivery: true, storage: false });
  outage.storage(true);
  outage.storage(false);
  assert.deepEqual(seen.told, [
    { outage: true, reason: 'delivery' },
    { outage: true, reason: 'storage' },
    { outage: true, reason: 'delivery' },
  ]);
});
