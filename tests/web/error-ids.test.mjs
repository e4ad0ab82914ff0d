// The ids the page gives the worker's errors: the code of a reply becomes
// its id in the catalog, and an error without a code of its own (or with
// one the catalog doesn't know) becomes tep.worker.failed, never an id
// outside the catalog such as tep.worker.worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_IDS, workerErrorId } from '../../web/error-ids.js';
import { producerError } from '../../web/errors.js';
import { createMessageLoop } from '../../worker/message-loop.js';

/** The reply the worker's message loop posts for `message`, with handlers that fail as asked. */
async function replyTo(message, { ready = true } = {}) {
  const posted = [];
  const loop = createMessageLoop({
    handlers: {
      ping: () => {
        throw Object.assign(new Error('the core refused the config'), { code: 'config' });
      },
      flush: () => {
        throw new Error('IndexedDB went away');
      },
      stats: () => {
        throw Object.assign(new Error('the core could not allocate 64 bytes'), { code: 'out_of_memory' });
      },
      shutdown: () => {
        // A DOMException's numeric code (22, QuotaExceededError) is not one of the worker's.
        throw Object.assign(new Error('quota exceeded'), { code: 22 });
      },
    },
    ready: () => ready,
    needsReady: (action) => action !== 'ping',
    post: (notice) => posted.push(notice),
    reportProblem: () => {},
  });
  await loop.receive(message);
  assert.equal(posted.length, 1);
  return posted[0].error;
}

test("each code of the worker's replies becomes its id in the catalog", async () => {
  const idOf = async (message, options) => workerErrorId((await replyTo(message, options)).code);
  assert.equal(await idOf({ id: 1, action: 'format-disk' }), 'tep.worker.unknown_action');
  assert.equal(await idOf({ id: 2, action: 'online', online: 'maybe' }), 'tep.worker.bad_message');
  assert.equal(await idOf({ id: 3, action: 'stats' }, { ready: false }), 'tep.worker.not_initialised');
  assert.equal(await idOf({ id: 4, action: 'ping' }), 'tep.worker.config');
  assert.equal(await idOf({ id: 5, action: 'stats' }), 'tep.worker.out_of_memory');
});

test('an error without a code of the catalog is tep.worker.failed', async () => {
  assert.equal(workerErrorId((await replyTo({ id: 6, action: 'flush' })).code), 'tep.worker.failed');
  assert.equal(workerErrorId((await replyTo({ id: 7, action: 'shutdown' })).code), 'tep.worker.failed');
  for (const code of ['worker', 'storage', undefined, null, 22, '', 'toString', 'closed/../x']) {
    assert.equal(workerErrorId(code), ERROR_IDS.workerFailed, String(code));
  }
});

test("a worker error's message carries its id once", async () => {
  const reply = await replyTo({ id: 8, action: 'flush' });
  const error = producerError(workerErrorId(reply.code), reply.message);
  assert.equal(error.message, '[tep.worker.failed] IndexedDB went away');
});
