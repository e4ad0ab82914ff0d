// The page's hand-overs of events (worker/page-events.js) over a stand-in
// core: one call for all, one by one when the core's memory can't take them
// at once, the refused ones counted, and the page told once they are stored.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createPageEvents } from '../../worker/page-events.js';

const outOfMemory = () => Object.assign(new Error('no room'), { code: 'out_of_memory' });

function setUp({ fits = () => true } = {}) {
  const seen = { sent: [], refused: [], credentials: [], after: [], posted: [] };
  const accept = createPageEvents({
    core: () => ({
      sendEvents: (events, now, blocked) => {
        if (!fits(events)) throw outOfMemory();
        seen.sent.push([events, now, blocked]);
      },
      countRefused: (refused) => seen.refused.push(refused),
    }),
    credentials: { set: (fresh) => seen.credentials.push(fresh) },
    afterCoreCall: (urgent) => seen.after.push(urgent),
    stored: async (urgent) => seen.after.push(`stored ${urgent}`),
    post: (notice) => seen.posted.push(notice),
    clock: () => 1000,
  });
  return { accept, seen };
}

test('the events of a hand-over go to the core in one call, and the page hears once they are stored', async () => {
  const { accept, seen } = setUp();
  accept({ seq: 4, events: ['{"a":1}', '{"b":2}'], blocked: { PERFORMANCE: true } });
  assert.deepEqual(seen.sent, [[['{"a":1}', '{"b":2}'], 1000, 1]]);
  assert.deepEqual(seen.after, [false, 'stored false']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen.posted, [{ type: 'accepted', seq: 4 }]);
});

test("the core's memory can't take them at once: one by one, and one that still doesn't fit is a storing failure", () => {
  const { accept, seen } = setUp({ fits: (events) => events.length === 1 && events[0] !== '{"huge":1}' });
  accept({ events: ['{"a":1}', '{"huge":1}', '{"b":2}'] });
  assert.deepEqual(
    seen.sent.map(([events]) => events),
    [['{"a":1}'], ['{"b":2}']],
  );
  assert.deepEqual(seen.refused, [{ name: '', problem: '[tep.worker.out_of_memory] no room', reason: 'storing' }]);
  assert.deepEqual(seen.posted, [], 'no seq: nothing to acknowledge');
});

test('another failure of the core is not taken for a full memory', () => {
  const { accept } = setUp({
    fits: () => {
      throw new Error('trap');
    },
  });
  assert.throws(() => accept({ events: ['{"a":1}'] }), /trap/);
});

test("the events the page refused are counted; the page's credentials come with the hand-over; urgent stores at once", () => {
  const { accept, seen } = setUp();
  const refused = { name: 'play', problem: 'not JSON', reason: 'validation' };
  accept({ events: [], unserialisable: [refused], credentials: null, urgent: true });
  assert.deepEqual(seen.refused, [refused]);
  assert.deepEqual(seen.credentials, [null]);
  assert.deepEqual(seen.sent, []);
  assert.deepEqual(seen.after, [true]);
});
