// Whether the tab's store persists, and its last error (worker/store-status.js).
import assert from 'node:assert/strict';
import test from 'node:test';
import { createStoreStatus } from '../../worker/store-status.js';

test('a store that opened and was read persists, with no error', () => {
  const status = createStoreStatus();
  assert.equal(status.persistent(), false, 'nothing is persistent before the start says so');
  status.started(null);
  status.started(null);
  assert.equal(status.persistent(), true);
  assert.equal(status.lastError(), null);
});

test("a start step that failed leaves the queue in memory, with the error's message", () => {
  const status = createStoreStatus();
  status.started(new DOMException('The user denied permission', 'InvalidStateError'));
  assert.equal(status.persistent(), false);
  assert.equal(status.lastError(), 'The user denied permission');
});

test('a failed write is the last error until a write succeeds', () => {
  const status = createStoreStatus();
  status.started(null);
  status.written(new Error('QuotaExceededError'));
  assert.equal(status.lastError(), 'QuotaExceededError');
  assert.equal(status.persistent(), true, 'a failed write is an outage, not the loss of the store');
  status.written('refused');
  assert.equal(status.lastError(), 'refused');
  status.written(null);
  assert.equal(status.lastError(), null);
});
