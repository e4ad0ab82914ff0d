// What the page hears of outages: one notice per change of the outage or of
// its reason, and another tab's word never ends this tab's own outage.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createOutageState } from '../../worker/outage-state.js';

function recorder() {
  const told = [];
  return { told, post: (change) => told.push(change) };
}

const none = { outage: false, reason: undefined };
const because = (reason) => ({ outage: true, reason });

test('a delivery outage starts and ends once each', () => {
  const { told, post } = recorder();
  const state = createOutageState(post);
  state.setFromCore('delivery', true);
  state.setFromCore('delivery', true);
  state.setFromCore('delivery', false);
  assert.deepEqual(told, [because('delivery'), none]);
});

test('a full queue and a failing store during a delivery outage are each told, and the delivery outage again after them', () => {
  const { told, post } = recorder();
  const state = createOutageState(post);
  state.setFromCore('delivery', true);
  state.setFromCore('queue_full', true);
  state.setStorage(true);
  state.setStorage(false);
  state.setFromCore('queue_full', false);
  state.setFromCore('delivery', false);
  assert.deepEqual(told, [
    because('delivery'),
    because('queue_full'),
    because('storage'),
    because('queue_full'),
    because('delivery'),
    none,
  ]);
});

test("the core's refused write is a storage outage apart from IndexedDB's", () => {
  const { told, post } = recorder();
  const state = createOutageState(post);
  state.setFromCore('storage', true);
  state.setStorage(true);
  state.setStorage(false);
  assert.deepEqual(told, [because('storage')]);
  state.setFromCore('storage', false);
  assert.deepEqual(told, [because('storage'), none]);
});

test("another tab's end of an outage ends only the outage heard from another tab", () => {
  const { told, post } = recorder();
  const state = createOutageState(post);
  state.setFromCore('delivery', true);
  state.setOtherTab(false);
  assert.deepEqual(told, [because('delivery')]);
  assert.equal(state.delivery, true);
  state.setFromCore('delivery', false);
  state.setOtherTab(true);
  assert.equal(state.otherTab, true);
  state.setOtherTab(false);
  assert.deepEqual(told, [because('delivery'), none, because('delivery'), none]);
});

test("this tab's own delivery ends an outage heard from another tab too", () => {
  const { told, post } = recorder();
  const state = createOutageState(post);
  state.setOtherTab(true);
  state.setFromCore('delivery', true);
  state.setFromCore('delivery', false);
  assert.equal(state.otherTab, false);
  assert.deepEqual(told, [because('delivery'), none]);
});

test('the state known at init is not told again', () => {
  const { told, post } = recorder();
  const state = createOutageState(post, { storage: true });
  state.setStorage(true);
  assert.deepEqual(told, []);
  state.setStorage(false);
  assert.deepEqual(told, [none]);
});

test('tell() says the state even when it did not change, and later changes are still told once', () => {
  const { told, post } = recorder();
  const state = createOutageState(post, { delivery: true });
  state.tell();
  state.setFromCore('delivery', true);
  state.setFromCore('delivery', false);
  assert.deepEqual(told, [because('delivery'), none]);
});
