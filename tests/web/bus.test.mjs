// The bus: listeners hear each message as the detail of an
// 'eventProducerEventBus' event until they unsubscribe, by either name of
// the subscribe function.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBus } from '../../web/bus.js';

test('listeners hear every message until they unsubscribe, through bus() or bus.bus()', () => {
  const { emit, bus } = createBus({ target: new EventTarget() });
  const heard = [];
  const stop = bus((event) => heard.push(['a', event.type, event.detail]));
  const stopOther = bus.bus((event) => heard.push(['b', event.detail]));
  emit('first');
  stop();
  emit('second');
  stopOther();
  emit('third');
  assert.deepEqual(heard, [
    ['a', 'eventProducerEventBus', 'first'],
    ['b', 'first'],
    ['b', 'second'],
  ]);
});

test("where there is no global event target (Node) the bus is the producer's own", () => {
  const { emit, bus } = createBus();
  let heard = null;
  bus((event) => (heard = event.detail));
  emit('here');
  assert.equal(heard, 'here');
});
