// The package as Node and server-side rendering see it: importing it has no
// side effects (no worker, no throw), every call is safe without a browser,
// and init explains why it can't start here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

// By name, through package.json's exports map (Node resolves a package's own name).
const producer = await import('tidal-event-producer-wasm');

const api = [
  'init',
  'sendEvent',
  'bus',
  'setConsentCategory',
  'setCredentialsProvider',
  'getConfig',
  'flush',
  'isOutage',
  'getStats',
  'shutdown',
];
const errors = ['TidalError', 'IllegalArgumentError', 'InitError', 'OutageStartError', 'OutageEndMessage'];

test('importing the package in Node neither throws nor starts a worker', () => {
  assert.equal(typeof globalThis.Worker, 'undefined');
  for (const name of api) assert.equal(typeof producer[name], 'function', `${name} is exported`);
  for (const name of errors) assert.ok(producer[name], `${name} is exported`);
});

test('every export has a type declaration', async () => {
  const types = await readFile(new URL('../../dist/index.d.ts', import.meta.url), 'utf8');
  for (const name of [...api, ...errors]) {
    assert.match(
      types,
      new RegExp(`export (declare )?(function|const|class|interface|type) ${name}\\b`),
      `${name} is declared`,
    );
  }
});

test('calls before init are safe without a browser', async () => {
  assert.doesNotThrow(() => producer.sendEvent({ name: 'ssr', consentCategory: 'NECESSARY', payload: {} }));
  assert.doesNotThrow(() => producer.sendEvent(undefined));
  assert.equal(producer.isOutage(), false);
  assert.equal(await producer.getStats(), null);
  await producer.flush();
  await producer.shutdown();
  const unsubscribe = producer.bus(() => {});
  assert.equal(typeof unsubscribe, 'function');
  unsubscribe();
  assert.equal(typeof producer.bus.bus(() => {})(), 'undefined', 'bus.bus returns an unsubscribe function too');
});

test('init refuses a bad config with IllegalArgumentError naming the field', async () => {
  await assert.rejects(producer.init({ appInfo: {}, platform: {}, tlConsumerUri: 42 }), (error) => {
    assert.equal(error.name, 'IllegalArgumentError');
    assert.equal(error.id, 'tep.config.tlConsumerUri');
    assert.equal(error.field, 'tlConsumerUri');
    assert.match(error.message, /^\[tep\.config\.tlConsumerUri\] /);
    return true;
  });
});

test('init without Web Workers rejects with InitError and leaves the given config untouched', async () => {
  const given = {
    appInfo: { appName: 'ssr', appVersion: '1' },
    platform: { browserName: 'node' },
    tlConsumerUri: 'https://collector.example/api/event-batch',
  };
  const before = JSON.stringify(given);
  await assert.rejects(producer.init(given), (error) => {
    assert.equal(error.name, 'InitError');
    assert.equal(error.errorCode, 'no_worker');
    assert.equal(error.id, 'tep.init.no_worker');
    assert.match(error.message, /Web Workers are not available/);
    return true;
  });
  assert.equal(JSON.stringify(given), before, 'the config is copied, not mutated');
  assert.notEqual(producer.getConfig(), given);
  assert.equal(producer.getConfig().appInfo.appName, 'ssr');
  assert.equal(
    producer.getConfig().eventBatchInterval,
    undefined,
    "defaults are the core's, not filled in on the copy",
  );
});
