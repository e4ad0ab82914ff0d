// What the core hears of a request's outcome: the answer as it came, or,
// when the core's memory can't take the answer's body, that the answer could
// not be read, so that the batch leaves the in-flight set and is retried.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createCoreApi } from '../../worker/core-api.js';
import { createOutcomeReport } from '../../worker/outcome-report.js';
import { OutcomeKind } from '../../worker/sender.js';

/** A core whose _malloc fails for more than `capacity` bytes at once; records tep_on_response's calls. */
function fakeCore(capacity) {
  const calls = [];
  let next = 8;
  const texts = new Map();
  return {
    calls,
    lengthBytesUTF8: (text) => Buffer.byteLength(text),
    _malloc: (size) => (size > capacity ? 0 : (next += size)),
    _free: () => {},
    stringToUTF8: (text, pointer) => texts.set(pointer, text),
    _tep_on_response: (id, kind, status, body, length, retryAfter, date) =>
      calls.push({ id, kind, status, body: body ? texts.get(body) : null, length, retryAfter, date }),
  };
}

function reporter(core) {
  const api = createCoreApi(core);
  return createOutcomeReport({ core: () => api, now: () => 1000 });
}

const answer = (body) => ({ kind: OutcomeKind.response, status: 503, body, retryAfter: '', date: '' });

test('an answer is reported with its body', () => {
  const core = fakeCore(1024);
  reporter(core)({ id: 7 }, answer('<ErrorResponse/>'));
  assert.equal(core.calls.length, 1);
  assert.deepEqual(
    { id: core.calls[0].id, kind: core.calls[0].kind, status: core.calls[0].status, body: core.calls[0].body },
    { id: 7, kind: OutcomeKind.response, status: 503, body: '<ErrorResponse/>' },
  );
});

test('an answer the core has no memory for is reported as unread, with nothing copied', () => {
  const core = fakeCore(16);
  reporter(core)({ id: 7 }, answer('x'.repeat(1000)));
  assert.deepEqual(core.calls, [
    { id: 7, kind: OutcomeKind.unread, status: 503, body: null, length: 0, retryAfter: 0, date: 0 },
  ]);
});
