// Every error this package raises carries a stable id, as a field of its
// own and at the start of its message; TIDAL's shapes are kept.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IllegalArgumentError, InitError, OutageStartError, TidalError, producerError } from '../../web/errors.js';

test('a config error names its field in a stable id', () => {
  const error = new IllegalArgumentError('config.eventBatchInterval must be a positive number', 'eventBatchInterval');
  assert.ok(error instanceof TidalError);
  assert.equal(error.name, 'IllegalArgumentError');
  assert.equal(error.id, 'tep.config.eventBatchInterval');
  assert.equal(error.errorCode, 'tep.config.eventBatchInterval');
  assert.equal(error.field, 'eventBatchInterval');
  assert.equal(error.message, '[tep.config.eventBatchInterval] config.eventBatchInterval must be a positive number');
});

test('an argument error without a field has the id tep.argument', () => {
  assert.equal(new IllegalArgumentError('init needs a config object').id, 'tep.argument');
});

test("init's errors keep TIDAL-style short codes and add the id", () => {
  const error = new InitError('storage', 'IndexedDB could not be opened');
  assert.equal(error.errorCode, 'storage');
  assert.equal(error.id, 'tep.init.storage');
  assert.equal(error.message, '[tep.init.storage] IndexedDB could not be opened');
});

test("each of init's codes has its own id", () => {
  const ids = ['storage', 'shutdown', 'timeout', 'worker', 'no_worker'].map((code) => new InitError(code, 'why').id);
  assert.deepEqual(ids, [
    'tep.init.storage',
    'tep.init.shutdown',
    'tep.init.timeout',
    'tep.init.worker',
    'tep.init.no_worker',
  ]);
});

test("the worker's errors: errorCode is the id, not the whole message", () => {
  const error = producerError('tep.worker.no_reply', "the worker did not answer 'flush'");
  assert.equal(error.name, 'TidalError');
  assert.equal(error.errorCode, 'tep.worker.no_reply');
  assert.equal(error.id, 'tep.worker.no_reply');
  assert.equal(error.message, "[tep.worker.no_reply] the worker did not answer 'flush'");
});

test("the bus keeps the reference client's errorCode", () => {
  assert.equal(new OutageStartError().errorCode, '1');
  assert.equal(new OutageStartError().message, '1');
  assert.equal(new OutageStartError('storage').errorCode, 'storage');
});
