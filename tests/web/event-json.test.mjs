// What sendEvent makes of an app's event: its JSON, or a refusal with a
// stable id and the event's name, whatever the app passed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serialiseEvent } from '../../web/event-json.js';
import { MAX_EVENT_BYTES } from '../../web/event-size.js';

test('an event becomes its JSON', () => {
  const event = { name: 'play', consentCategory: 'NECESSARY', payload: { n: 1 } };
  assert.deepEqual(serialiseEvent(event), { json: JSON.stringify(event) });
});

test('what JSON cannot carry is refused as not serialisable, named where it can be', () => {
  const cyclic = { name: 'loop' };
  cyclic.self = cyclic;
  assert.equal(serialiseEvent(cyclic).refused.name, 'loop');
  assert.match(serialiseEvent(cyclic).refused.problem, /^\[tep\.event\.not_serialisable\] /);
  assert.match(serialiseEvent(undefined).refused.problem, /the event is not an object/);
  const hostile = {
    get name() {
      throw new Error('no');
    },
    toJSON() {
      throw new Error('nope');
    },
  };
  assert.deepEqual(serialiseEvent(hostile).refused, { name: '', problem: '[tep.event.not_serialisable] nope' });
});

test('an event surely over the size limit is refused on the page', () => {
  const event = { name: 'big', consentCategory: 'NECESSARY', payload: 'x'.repeat(MAX_EVENT_BYTES) };
  assert.deepEqual(serialiseEvent(event).refused, {
    name: 'big',
    problem: `[tep.event.too_large] event 'big' is ${MAX_EVENT_BYTES} bytes or more`,
  });
});
