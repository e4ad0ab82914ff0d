// The page's outage, owned by web/outage.js: the bus hears each start, end
// and change of reason once, with the errorCode @tidal-music/event-producer
// uses, and a delivery outage asks for the service worker's help.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createOutage } from '../../web/outage.js';
import { OutageEndMessage, OutageStartError } from '../../web/errors.js';

function setUp() {
  const told = [];
  let deliveryOutages = 0;
  const outage = createOutage({ emit: (detail) => told.push(detail), onDeliveryOutage: () => deliveryOutages++ });
  return { outage, told, deliveryOutages: () => deliveryOutages };
}

test('an outage starts, changes its reason and ends, each told once with its errorCode', () => {
  const { outage, told } = setUp();
  assert.equal(outage.isOutage(), false);
  outage.set('delivery');
  outage.set('delivery');
  assert.equal(outage.isOutage(), true);
  outage.set('queue_full');
  outage.set('worker');
  outage.set(null);
  outage.set(null);
  assert.equal(outage.isOutage(), false);
  assert.equal(outage.reason(), null);
  assert.deepEqual(
    told.map((d) => (d === OutageEndMessage ? 'end' : `${d.errorCode}/${d.reason}`)),
    ['1/delivery', 'storage/queue_full', 'worker/worker', 'end'],
  );
  assert.ok(told[0] instanceof OutageStartError);
});

test('only a delivery outage asks for delivery by the service worker, once per start', () => {
  const { outage, deliveryOutages } = setUp();
  outage.set('storage');
  assert.equal(deliveryOutages(), 0);
  outage.set('delivery');
  outage.set('delivery');
  assert.equal(deliveryOutages(), 1);
  outage.set(null);
  outage.set('delivery');
  assert.equal(deliveryOutages(), 2);
  assert.equal(outage.reason(), 'delivery');
});
