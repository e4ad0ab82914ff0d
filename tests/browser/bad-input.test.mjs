// Bad input for init and sendEvent: init refuses a config it can't use with a
// clear IllegalArgumentError; sendEvent never throws, never stalls the worker,
// and counts each bad event with its reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, sharedBrowser, testConfig, waitFor } from './harness.mjs';

const browser = sharedBrowser(openBrowser);

test('init refuses unusable configs with a clear error and then still starts with a good one', async () => {
  const page = await openProducerPage(browser);
  const outcomes = await page.evaluate(async (good) => {
    const bad = {
      missing: undefined,
      notAnObject: 'config',
      badUrl: { ...good, tlConsumerUri: 'http://[not a url' },
      missingUrl: { ...good, tlConsumerUri: undefined },
      negativeInterval: { ...good, eventBatchInterval: -5 },
      zeroMonitoring: { ...good, monitoringInterval: 0 },
      nanDisk: { ...good, maxDiskUsageBytes: Number.NaN },
      stringInFlight: { ...good, maxInFlightBatches: '4' },
      badProvider: { ...good, credentialsProvider: { getCredentials: 'nope' } },
    };
    const results = {};
    for (const [name, config] of Object.entries(bad)) {
      try {
        await window.producer.init(config);
        results[name] = 'resolved';
      } catch (error) {
        results[name] = `${error.name} ${error.id}: ${error.message}`;
      }
    }
    await window.producer.init(good);
    results.good = 'resolved';
    return results;
  }, testConfig(browser.url));
  // Each with the stable id of the field it names.
  const ids = {
    missing: 'tep.argument',
    notAnObject: 'tep.argument',
    badUrl: 'tep.config.tlConsumerUri',
    missingUrl: 'tep.config.tlConsumerUri',
    negativeInterval: 'tep.config.eventBatchInterval',
    zeroMonitoring: 'tep.config.monitoringInterval',
    nanDisk: 'tep.config.maxDiskUsageBytes',
    stringInFlight: 'tep.config.maxInFlightBatches',
    badProvider: 'tep.config.credentialsProvider',
  };
  for (const [name, outcome] of Object.entries(outcomes)) {
    if (name === 'good') continue;
    assert.ok(outcome.startsWith(`IllegalArgumentError ${ids[name]}: [${ids[name]}] `), `${name}: ${outcome}`);
  }
  assert.match(outcomes.badUrl, /tlConsumerUri must be a URL/);
  assert.match(outcomes.negativeInterval, /eventBatchInterval must be a positive number/);
  assert.equal(outcomes.good, 'resolved');
  await page.close();
});

test('hostile events are counted and the worker keeps delivering', async () => {
  const page = await openProducerPage(browser);
  await page.evaluate(async (config) => window.producer.init(config), testConfig(browser.url));
  const thrown = await page.evaluate(() => {
    let deep = {};
    const root = deep;
    for (let i = 0; i < 5000; i++) deep = deep.next = {};
    const bad = [
      { name: 'deep', consentCategory: 'NECESSARY', payload: root },
      { name: 'function', consentCategory: 'NECESSARY', payload: { f() {} }, extra: () => 1 },
      { name: 'symbol', consentCategory: 'NECESSARY', payload: Symbol('x') },
      { name: 'huge', consentCategory: 'NECESSARY', payload: { s: 'é'.repeat(11000) } },
      { name: 'headers', consentCategory: 'NECESSARY', payload: {}, headers: ['not', 'an', 'object'] },
      { name: 'ffff', consentCategory: 'NECESSARY', payload: { s: '\uffff' } },
      {
        name: 'getter',
        consentCategory: 'NECESSARY',
        get payload() {
          throw new Error('boom');
        },
      },
      { name: 'n'.repeat(30000), consentCategory: 'NECESSARY', payload: {} },
      new Proxy(
        {},
        {
          get() {
            throw new Error('trap');
          },
          ownKeys() {
            throw new Error('trap');
          },
        },
      ),
    ];
    const errors = [];
    for (const event of bad) {
      try {
        window.producer.sendEvent(event);
      } catch (e) {
        errors.push(String(e));
      }
    }
    window.producer.sendEvent({ name: 'survivor', consentCategory: 'NECESSARY', payload: {} });
    return errors;
  });
  assert.deepEqual(thrown, []);
  await page.evaluate(() => window.producer.flush());
  await waitFor(async () => (await browser.consumerEvents()).some((e) => e.name === 'survivor'), {
    what: 'the event after the hostile ones',
  });
  const { counters } = await page.evaluate(() => window.producer.getStats());
  const validation = counters.validationFailedEvents;
  for (const name of ['deep', 'huge', 'headers', 'ffff', 'getter'])
    assert.equal(validation[name], 1, `${name} not counted`);
  // A name too long to report is counted under '(other)', keeping the counters small.
  assert.equal(validation['(other)'], 1, 'the 30,000-character name not counted');
  assert.equal(validation['n'.repeat(30000)], undefined);
  assert.equal(validation['(unnamed)'], 1, 'the hostile Proxy not counted');
  // A function payload serialises to {} and a Symbol payload to nothing: both are valid events.
  assert.ok(!validation.function && !validation.symbol);
  await page.close();
});
