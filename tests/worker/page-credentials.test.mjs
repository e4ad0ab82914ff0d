// The worker's one copy of the page's credentials, with fake timers: what
// the core is told, which endpoint a batch goes to, and the questions to the
// page's provider after a 401.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPageCredentials, CREDENTIALS_ANSWER_TIMEOUT_MS } from '../../worker/page-credentials.js';

const old = { clientId: 'c', token: 'old' };
const endpoints = { tlConsumerUri: 'https://c.example/auth', tlPublicConsumerUri: 'https://c.example/public' };
const request = (fields = {}) => ({
  publicOnly: false,
  keepalive: false,
  refreshCredentials: false,
  subStatus: '',
  ...fields,
});

/** The worker's credentials as init leaves them: `known` in force, the core's calls recorded. */
function setUp(known = old) {
  const posted = [];
  const told = [];
  const credentials = createPageCredentials({
    post: (notice) => posted.push(notice),
    tell: (clientId, token) => told.push([clientId, token]),
  });
  credentials.useEndpoints(endpoints);
  credentials.set(known);
  return { credentials, posted, told };
}

test('the credentials the page sends are the ones in force, and the core is told each time', () => {
  const { credentials, told } = setUp();
  credentials.set({ clientId: 'c2' });
  credentials.set(null);
  assert.equal(credentials.current(), null);
  assert.deepEqual(told, [
    ['c', 'old'],
    ['c2', null],
    [null, null],
  ]);
});

test('with a token a batch goes to the logged-in endpoint, without one or for public-only events to the public one', async () => {
  const { credentials } = setUp();
  assert.deepEqual(credentials.endpoint(), { url: endpoints.tlConsumerUri, token: 'old' });
  assert.deepEqual(await credentials.endpointFor(request({ publicOnly: true })), {
    url: endpoints.tlPublicConsumerUri,
    token: null,
  });
  credentials.set({ clientId: 'c', token: null });
  assert.deepEqual(await credentials.endpointFor(request()), { url: endpoints.tlPublicConsumerUri, token: null });
});

test("after a 401 the page's answer is what the batch uses, and the core is told it", async () => {
  const { credentials, posted, told } = setUp();
  const asked = credentials.endpointFor(request({ refreshCredentials: true, subStatus: '11003' }));
  assert.deepEqual(posted, [{ type: 'credentials-request', requestId: 1, subStatus: '11003' }]);
  credentials.answer(1, { clientId: 'c', token: 'new' });
  assert.deepEqual(await asked, { url: endpoints.tlConsumerUri, token: 'new' });
  assert.deepEqual(credentials.current(), { clientId: 'c', token: 'new' });
  assert.deepEqual(told.at(-1), ['c', 'new']);
});

test('a keepalive batch never asks the page: its answer would come too late', async () => {
  const { credentials, posted } = setUp();
  const endpoint = await credentials.endpointFor(request({ refreshCredentials: true, keepalive: true }));
  assert.deepEqual(posted, []);
  assert.equal(endpoint.token, 'old');
});

test('no answer within the cap: the last credentials known, and the core is not told again', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { credentials, told } = setUp();
  const asked = credentials.endpointFor(request({ refreshCredentials: true }));
  t.mock.timers.tick(CREDENTIALS_ANSWER_TIMEOUT_MS - 1);
  credentials.set({ clientId: 'c', token: 'meanwhile' });
  t.mock.timers.tick(1);
  assert.deepEqual(await asked, { url: endpoints.tlConsumerUri, token: 'meanwhile' });
  assert.equal(told.length, 2);
});

test('a null answer (the provider failed) falls back to the known credentials; answers to other requests are ignored', async () => {
  const { credentials } = setUp();
  const first = credentials.endpointFor(request({ refreshCredentials: true }));
  const second = credentials.endpointFor(request({ refreshCredentials: true }));
  credentials.answer(99, { clientId: 'x', token: 'stray' });
  credentials.answer(1, null);
  assert.equal((await first).token, 'old');
  credentials.answer(2, { clientId: 'c', token: 'second' });
  assert.equal((await second).token, 'second');
});
