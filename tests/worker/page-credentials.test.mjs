// The worker's questions to the page's provider, with fake timers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPageCredentials, CREDENTIALS_ANSWER_TIMEOUT_MS } from '../../worker/page-credentials.js';

const old = { clientId: 'c', token: 'old' };

test("the page's answer to its request is what the batch uses", async () => {
  const posted = [];
  const page = createPageCredentials({ post: (n) => posted.push(n), known: () => old });
  const asked = page.ask('11003');
  assert.deepEqual(posted, [{ type: 'credentials-request', requestId: 1, subStatus: '11003' }]);
  page.answer(1, { clientId: 'c', token: 'new' });
  assert.deepEqual(await asked, { clientId: 'c', token: 'new' });
});

test('no answer within the cap: the last credentials known', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const page = createPageCredentials({ post: () => {}, known: () => old });
  const asked = page.ask('');
  t.mock.timers.tick(CREDENTIALS_ANSWER_TIMEOUT_MS);
  assert.deepEqual(await asked, old);
});

test('a null answer (the provider failed) falls back to the known credentials; answers to other requests are ignored', async () => {
  const page = createPageCredentials({ post: () => {}, known: () => old });
  const first = page.ask();
  const second = page.ask();
  page.answer(99, { clientId: 'x', token: 'stray' });
  page.answer(2, { clientId: 'c', token: 'second' });
  page.answer(1, null);
  assert.deepEqual(await first, old);
  assert.deepEqual(await second, { clientId: 'c', token: 'second' });
});
