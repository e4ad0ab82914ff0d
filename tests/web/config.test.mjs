// The config on the page: copied, checked only where the page must, and
// passed to the core as given (the core has the defaults). Its numbers are
// checked with the core's own table, so the page refuses exactly what the
// core would not take.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { copyConfig, coreConfig } from '../../web/config.js';
import { CONFIG_NUMBERS, LARGEST_CONFIG_NUMBER } from '../../web/config-table.js';
import { coreConfigNumbers } from './core-config-table.mjs';

const fromRoot = (path) => new URL(`../../${path}`, import.meta.url);

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
  assert.equal(idOf({ ...good, maxDiskUsageBytes: 0 }), 'tep.config.maxDiskUsageBytes');
  assert.equal(idOf({ ...good, monitoringInterval: -1 }), 'tep.config.monitoringInterval');
  assert.equal(idOf({ ...good, eventTtlMs: -1 }), 'tep.config.eventTtlMs');
  assert.equal(idOf({ ...good, credentialsProvider: {} }), 'tep.config.credentialsProvider');
  assert.equal(idOf({ ...good, feralEventTypes: 'old_event' }), 'tep.config.feralEventTypes');
  assert.equal(idOf({ ...good, feralEventTypes: { 0: 'old_event' } }), 'tep.config.feralEventTypes');
  assert.equal(idOf({ ...good, feralEventTypes: ['old_event', 7] }), 'tep.config.feralEventTypes');
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

test("the page's table of numbers is the core's, field for field", () => {
  const core = coreConfigNumbers();
  assert.ok(core.length > 0, 'the core table was read');
  assert.deepEqual(
    CONFIG_NUMBERS.map((option) => ({ ...option })),
    core.map(({ field, minimum, rounding }) => ({ field, minimum, rounding })),
  );
  const [, shift] = readFileSync(fromRoot('src/config_options.h'), 'utf8').match(
    /kLargestConfigNumber = int64_t\{1\} << (\d+);/,
  );
  assert.equal(LARGEST_CONFIG_NUMBER, 2 ** Number(shift));
});

test('the page takes and refuses the same boundary values as the core', () => {
  const { cases } = JSON.parse(readFileSync(fromRoot('tests/native/config_boundaries.json'), 'utf8'));
  assert.deepEqual(Object.keys(cases).sort(), CONFIG_NUMBERS.map((option) => option.field).sort());
  const special = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity };
  let checked = 0;
  for (const [field, values] of Object.entries(cases)) {
    for (const [given, uses] of Object.entries(values)) {
      const value = given in special ? special[given] : JSON.parse(given);
      const outcome = idOf({ ...good, [field]: value });
      assert.equal(outcome, uses === null ? `tep.config.${field}` : 'accepted', `${field}: ${given}`);
      checked++;
    }
  }
  assert.ok(checked >= CONFIG_NUMBERS.length * 20, `${checked} cases`);
});

test('a refused number says its range and what was given', () => {
  assert.throws(() => copyConfig({ ...good, maxInFlightBatches: 0.4 }), {
    message:
      '[tep.config.maxInFlightBatches] config.maxInFlightBatches must be a positive number from 1 to 2^53, ' +
      'a fraction rounded down (got 0.4)',
  });
  assert.throws(() => copyConfig({ ...good, eventTtlMs: 'soon' }), {
    message:
      '[tep.config.eventTtlMs] config.eventTtlMs must be a number from 0 to 2^53, a fraction rounded down (got string)',
  });
});
