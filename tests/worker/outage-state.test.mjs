// What the page hears of outages: one notice per change of the combined state.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createOutageState } from '../../worker/outage-state.js';

function recorder() {
  const told = [];
  return { told, post: (change) => told.push(change) };
}

test('a delivery outage starts and ends once each', () => {
  const { told, post } = recorder();
  const state = createOutageState(post);
  state.setDelivery(true);
  state.setDelivery(true);
  state.setDelivery(false);
  assert.deepEqual(told, [
    { outage: true, reason: 'delivery' },
    { outage: false, reason: undefined },
  ]);
});

test('a full queue is a storage outage, and outranks delivery', () => {
  const { told, post } = recorder();
  const state = createOutageState(post);
  state.setQueueFull(true);
  state.setDelivery(true);
  state.setQueueFull(false);
  state.setDelivery(false);
  assert.deepEqual(told, [
    { outage: true, reason: 'storage' },
    { outage: true, reason: 'delivery' },
    { outage: false, reason: undefined },
  ]);
});

test('the state known at init is not told again', () => {
  const { told, post } = recorder();
  const state = createOutageState(post, { storage: true });
  state.setStorage(true);
  assert.deepEqual(told, []);
  state.setStorage(false);
  assert.deepEqual(told, [{ outage: false, reason: undefined }]);
});

test('tell() says the state even when it did not change, and later changes are still told once', () => {
  const { told, post } = recorder();
  const state = createOutageState(post, { delivery: true });
  state.tell();
  state.setDelivery(true);
  state.setDelivery(false);
  assert.deepEqual(told, [
    { outage: true, reason: 'delivery' },
    { outage: false, reason: undefined },
  ]);
});
