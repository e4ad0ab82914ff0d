// The events the page holds while no worker is ready: kept in order in
// segments, each under the consent it was sent with, capped with the rest
// counted, and purged by a consent change. Pure: no clock, no globals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHeldEvents, createPurge } from '../../web/held-events.js';

const notReady = { ready: false };
const ready = { ready: true };
const allowed = { PERFORMANCE: false, TARGETING: false };
const noTargeting = { PERFORMANCE: false, TARGETING: true };
const event = (name, consentCategory = 'NECESSARY') => JSON.stringify({ name, consentCategory });

test('events sent before and after a consent change form segments, handed over in order', () => {
  const held = createHeldEvents();
  held.add(event('a'), notReady);
  held.refuse({ name: 'bad', problem: 'p' }, notReady);
  held.holdBuffer(allowed);
  held.add(event('b'), notReady);
  held.holdBuffer(noTargeting);
  held.add(event('c'), notReady);
  assert.deepEqual(
    held.takeSegments().map((s) => [s.events.map((e) => JSON.parse(e).name), s.unserialisable.length, s.blocked]),
    [
      [['a'], 1, allowed],
      [['b'], 0, noTargeting],
    ],
  );
  assert.deepEqual(held.takeBuffer(), { events: [event('c')], unserialisable: [] });
  assert.equal(held.isBufferEmpty(), true);
});

test('an empty buffer makes no segment', () => {
  const held = createHeldEvents();
  held.holdBuffer(allowed);
  assert.deepEqual(held.takeSegments(), []);
});

test('past the cap events are dropped, and counted once a worker takes what is held', () => {
  const held = createHeldEvents({ maxHeld: 3 });
  held.add(event('a'), notReady);
  held.holdBuffer(allowed);
  assert.equal(held.add(event('b'), notReady), true);
  assert.equal(held.add(event('c'), notReady), true);
  assert.equal(held.add(event('d'), notReady), false, 'the segment counts toward the cap');
  assert.equal(held.add(event('e'), ready), true, 'a ready worker takes everything');
  held.takeSegments();
  const { unserialisable } = held.takeBuffer();
  assert.deepEqual(unserialisable, [
    { name: '(held before init)', problem: 'too many events before init', reason: 'storing', count: 1 },
  ]);
  held.takeSegments();
  assert.deepEqual(held.takeBuffer(), { events: [], unserialisable: [] }, 'counted once');
});

test('refusals past the cap are counted too', () => {
  const held = createHeldEvents({ maxHeld: 1 });
  held.refuse({ problem: 'x' }, notReady);
  held.refuse({ problem: 'y' }, notReady);
  held.takeSegments();
  assert.deepEqual(
    held.takeBuffer().unserialisable.map((u) => u.count ?? 1),
    [1, 1],
  );
});

test("an ended worker's unconfirmed hand-overs go before everything held, and count toward the cap", () => {
  const held = createHeldEvents({ maxHeld: 2 });
  held.add(event('later'), notReady);
  held.holdBuffer(allowed);
  held.holdFirst([{ events: [event('earlier')], unserialisable: [], blocked: noTargeting }]);
  assert.equal(held.add(event('over'), notReady), false);
  assert.deepEqual(
    held.takeSegments().map((s) => JSON.parse(s.events[0]).name),
    ['earlier', 'later'],
  );
});

test("a purge removes the purged categories' events from segments, the buffer and elsewhere, counted by name", () => {
  const held = createHeldEvents({ maxHeld: 3 });
  held.add(event('ad', 'TARGETING'), notReady);
  held.add(event('play'), notReady);
  held.holdBuffer(allowed);
  held.add(event('ad', 'TARGETING'), notReady);
  const purge = createPurge(['TARGETING']);
  const elsewhere = purge.keep([event('ad', 'TARGETING'), event('click', 'TARGETING'), 'not json']);
  assert.deepEqual(elsewhere, ['not json']);
  held.purge(purge);
  assert.equal(held.add(event('x'), notReady), true, 'purged events no longer count toward the cap');
  assert.equal(held.add(event('y'), notReady), true);
  const segments = held.takeSegments();
  assert.deepEqual(segments[0].events, [event('play')]);
  const { events, unserialisable } = held.takeBuffer();
  assert.deepEqual(events, [event('x'), event('y')]);
  assert.deepEqual(unserialisable, [
    {
      name: 'ad',
      problem: '[tep.event.consent_purged] purged by a consent change before the worker stored it',
      reason: 'consent',
      count: 3,
    },
    {
      name: 'click',
      problem: '[tep.event.consent_purged] purged by a consent change before the worker stored it',
      reason: 'consent',
      count: 1,
    },
  ]);
});
