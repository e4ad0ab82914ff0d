// The core as the worker calls it (worker/core-api.js) over a stand-in for
// the wasm module: strings go in and come back out, JSON comes back parsed,
// every copy is freed, and the numbers the exports take are the ones
// worker/binding.cpp reads.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createCoreApi, entryBlocked } from '../../worker/core-api.js';
import { fakeCoreModule } from './fake-core-module.mjs';

const callsOf = (module, name) => module.calls.filter((call) => call.name === name).map((call) => call.args);

test('create passes the config and the folder, and says whether the core took the config', () => {
  const module = fakeCoreModule({ returns: { create: (config) => (module.memory.get(config) === '{}' ? 0 : 1) } });
  const core = createCoreApi(module);
  assert.equal(core.create('{}', '/tep-store-a'), true);
  assert.equal(core.create('[]', '/tep-store-a'), false);
  assert.deepEqual(callsOf(module, 'create')[0], ['{}', '/tep-store-a']);
  assert.equal(module.freed.length, 4, 'both strings of both calls are freed');
});

test("the restore's summary, the adoption's report and the stats come back parsed", () => {
  const module = fakeCoreModule({
    returns: {
      restore: JSON.stringify({ restored: 3, outage: true }),
      adopt: JSON.stringify({ taken: 2, remaining: 0, keptFiles: [], changedFiles: ['a'] }),
      stats: JSON.stringify({ delivered: 5, queued: 1 }),
    },
  });
  const core = createCoreApi(module);
  assert.deepEqual(core.restore(1000), { restored: 3, outage: true });
  assert.deepEqual(core.adopt('/tep-store-b', 1000).changedFiles, ['a']);
  assert.deepEqual(callsOf(module, 'adopt'), [['/tep-store-b', 1000]]);
  assert.equal(core.stats().delivered, 5);
});

test('events go in one call, joined by newlines, with the consent they were sent under', () => {
  const module = fakeCoreModule();
  createCoreApi(module).sendEvents(['{"a":1}', '{"b":2}'], 1000, entryBlocked({ TARGETING: true }));
  assert.deepEqual(callsOf(module, 'send_events'), [['{"a":1}\n{"b":2}', 15, 1000, 2]]);
  assert.equal(entryBlocked(undefined), -1, 'none given: the consent in force');
  assert.equal(entryBlocked({ PERFORMANCE: true, TARGETING: true }), 3);
});

test('a copy that does not fit the memory throws out_of_memory and calls nothing', () => {
  const module = fakeCoreModule({ capacity: 4 });
  assert.throws(() => createCoreApi(module).sendEvents(['{"too":"long"}'], 1000, -1), { code: 'out_of_memory' });
  assert.deepEqual(module.calls, []);
});

test('a refused event is counted under the number binding.cpp gives its reason; validation by default', () => {
  const module = fakeCoreModule();
  const core = createCoreApi(module);
  core.countRefused({ name: 'play', problem: 'too big', reason: 'storing', count: 2 });
  core.countRefused({ problem: 'bad' });
  core.countRefused({ name: 'x', problem: 'blocked', reason: 'consent' });
  assert.deepEqual(callsOf(module, 'count_refused_on_page'), [
    ['play', 'too big', 1, 2],
    ['', 'bad', 0, 1],
    ['x', 'blocked', 2, 1],
  ]);
});

test("the site's consent becomes the core's, and its sequence is remembered for the leaving batch", () => {
  const module = fakeCoreModule();
  const core = createCoreApi(module);
  assert.equal(core.consentSeq(), 0);
  core.setConsent({
    seq: 4,
    writer: 'w',
    blocked: { PERFORMANCE: true, TARGETING: false },
    purgedBefore: { PERFORMANCE: 500, TARGETING: null },
  });
  assert.deepEqual(callsOf(module, 'set_consent'), [[1, 0, 500, -Infinity]]);
  assert.equal(core.consentSeq(), 4);
});

test('credentials: a missing client id or token passes no string', () => {
  const module = fakeCoreModule();
  createCoreApi(module).setCredentials('client', null);
  assert.deepEqual(callsOf(module, 'set_credentials'), [['client', 0]]);
});

test("a response's body goes with its length in bytes; null strings pass nothing", () => {
  const module = fakeCoreModule();
  const core = createCoreApi(module);
  core.respond(7, { kind: 0, status: 200, body: 'é', retryAfter: '', date: 'D' }, 1000);
  core.respond(8, { kind: 3, status: 503, body: null, retryAfter: null, date: null }, 1000);
  assert.deepEqual(callsOf(module, 'on_response'), [
    [7, 0, 200, 'é', 2, '', 'D', 1000],
    [8, 3, 503, 0, 0, 0, 0, 1000],
  ]);
});

test('the changed files come back as a list, empty when none changed; the outage as a boolean', () => {
  let joined = 'queue-1\nstate';
  const module = fakeCoreModule({ returns: { take_changed_files: () => joined, outage: 1 } });
  const core = createCoreApi(module);
  assert.deepEqual(core.takeChangedFiles(), ['queue-1', 'state']);
  joined = '';
  assert.deepEqual(core.takeChangedFiles(), []);
  assert.equal(core.inOutage(), true);
});

test('the leaving batch the page sent is claimed by its ids, joined by newlines', () => {
  const module = fakeCoreModule({ returns: { claim_leaving_batch: 12, leaving_batch: 'Action=SendMessageBatch' } });
  const core = createCoreApi(module);
  assert.equal(core.leavingBatch(60000), 'Action=SendMessageBatch');
  assert.equal(core.claimLeavingBatch(['a', 'b']), 12);
  assert.deepEqual(callsOf(module, 'claim_leaving_batch'), [['a\nb', 3]]);
  core.setOnline(false, 1000);
  assert.deepEqual(callsOf(module, 'set_online'), [[0, 1000]]);
});
