// The config on the page: copied, checked only where the page must, and
// passed to the core as given (the core has the defaults).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyConfig, coreConfig } from '../../web/config.js';

const good = {
  appInfo: { appName: 'a', appVersion: '1' },
  platform: { browserName: 'b' },
  tlConsumerUri: 'https://collector.example/api/event-batch',
};

const idOf = (given) => {
  try {
    copyConfig(given);
    return 'accepted';
  } catch (error) {
    return error.id;
  }
};

test('each bad field is refused with its stable id', () => {
  assert.equal(idOf(undefined), 'tep.argument');
  assert.equal(idOf({ ...good, tlConsumerUri: 42 }), 'tep.config.tlConsumerUri');
  assert.equal(idOf({ ...good, tlConsumerUri: 'http://[nope' }), 'tep.config.tlConsumerUri');
  assert.equal(idOf({ ...good, tlPublicConsumerUri: {} }), 'tep.config.tlPublicConsumerUri');
  assert.equal(idOf({ ...good, eventBatchInterval: 0 }), 'tep.config.eventBatchInterval');
  assert.equal(idOf({ ...good, maxBackoffMs: Infinity }), 'tep.config.maxBackoffMs');
  assert.equal(idOf({ ...good, maxInFlightBatches: '4' }), 'tep.config.maxInFlightBatches');
  assert.equal(idOf({ ...good, credentialsProvider: {} }), 'tep.config.credentialsProvider');
  assert.equal(idOf(good), 'accepted');
});

test("the copy is the app's own: later changes to the given object change nothing", () => {
  const given = structuredClone(good);
  const copy = copyConfig(given);
  given.appInfo.appName = 'changed';
  assert.equal(copy.appInfo.appName, 'a');
  assert.equal(copy.tlPublicConsumerUri, good.tlConsumerUri, 'the public endpoint defaults to the other');
});

test('the core gets the fields as given, no defaults added, and what JSON cannot carry left out', () => {
  const core = coreConfig({ ...copyConfig(good), eventTtlMs: 10n, strictMode: true });
  assert.equal(core.eventBatchInterval, undefined, 'no default on the page');
  assert.equal(core.eventTtlMs, undefined, 'a BigInt is left to the default');
  assert.equal(core.strictMode, true);
  assert.deepEqual(core.appInfo, { appName: 'a', appVersion: '1' });
  assert.equal('tlConsumerUri' in core, false, 'the endpoints stay with the worker, not the core');
});
