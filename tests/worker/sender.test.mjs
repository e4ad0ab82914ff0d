// The sender with a fake fetch and fake timers: endpoints (chosen by
// worker/page-credentials.js) and headers, credentials asked only when the
// core wants them fresh, timeouts and network errors as the core's outcome
// kinds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPageCredentials } from '../../worker/page-credentials.js';
import { createSender, OutcomeKind, REQUEST_TIMEOUT_MS } from '../../worker/sender.js';

const endpoints = { tlConsumerUri: 'https://c.example/auth', tlPublicConsumerUri: 'https://c.example/public' };

/** A sender whose endpoints come from the worker's credentials; the page answers `fresh` to every question. */
function setUp({ respond, known = { clientId: 'c', token: 'old' }, fresh = { clientId: 'c', token: 'new' } } = {}) {
  const calls = [];
  const asked = [];
  const credentials = createPageCredentials({
    post: ({ requestId, subStatus }) => {
      asked.push(subStatus);
      queueMicrotask(() => credentials.answer(requestId, fresh));
    },
    tell: () => {},
  });
  credentials.useEndpoints(endpoints);
  credentials.set(known);
  const sender = createSender({
    fetch: (url, init) => {
      calls.push({ url, init });
      return respond
        ? respond(url, init)
        : Promise.resolve(new Response('<ok/>', { status: 200, headers: { Date: 'Tue, 01 Dec 2026 12:00:00 GMT' } }));
    },
    endpoint: (request) => credentials.endpointFor(request),
  });
  return { sender, calls, asked };
}

test('a batch goes to the authenticated endpoint with the known token, without asking the page', async () => {
  const { sender, calls, asked } = setUp();
  const outcome = await sender.send({ body: 'Action=SendMessageBatch', publicOnly: false, keepalive: false });
  assert.equal(calls[0].url, 'https://c.example/auth');
  assert.equal(calls[0].init.headers.Authorization, 'Bearer old');
  assert.equal(calls[0].init.credentials, 'omit');
  assert.deepEqual(asked, []);
  assert.deepEqual(outcome, {
    kind: OutcomeKind.response,
    status: 200,
    body: '<ok/>',
    retryAfter: '',
    date: 'Tue, 01 Dec 2026 12:00:00 GMT',
  });
});

test('after a 401 the core asks for fresh credentials, with the sub-status, before the batch goes', async () => {
  const { sender, calls, asked } = setUp();
  await sender.send({ body: 'b', publicOnly: false, refreshCredentials: true, subStatus: '11003' });
  assert.deepEqual(asked, ['11003']);
  assert.equal(calls[0].init.headers.Authorization, 'Bearer new');
});

test('without a token, or for public-only events, the public endpoint and no Authorization', async () => {
  const { sender, calls } = setUp({ known: { clientId: 'c', token: null } });
  await sender.send({ body: 'b', publicOnly: false });
  await sender.send({ body: 'b', publicOnly: true });
  for (const call of calls) {
    assert.equal(call.url, 'https://c.example/public');
    assert.equal(call.init.headers.Authorization, undefined);
  }
});

test('a keepalive batch is sent with keepalive', async () => {
  const { sender, calls } = setUp();
  await sender.send({ body: 'b', keepalive: true });
  assert.equal(calls[0].init.keepalive, true);
});

test('a network error is a network error, a request past the timeout is a timeout', async (t) => {
  const failing = setUp({ respond: () => Promise.reject(new TypeError('Failed to fetch')) });
  assert.equal((await failing.sender.send({ body: 'b' })).kind, OutcomeKind.networkError);

  t.mock.timers.enable({ apis: ['setTimeout'] });
  const hanging = setUp({
    respond: (url, init) =>
      new Promise((resolve, reject) =>
        init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      ),
  });
  const sent = hanging.sender.send({ body: 'b' });
  await Promise.resolve();
  await Promise.resolve();
  t.mock.timers.tick(REQUEST_TIMEOUT_MS);
  assert.equal((await sent).kind, OutcomeKind.timeout);
});

test('Retry-After and the status of an error answer reach the core', async () => {
  const { sender } = setUp({
    respond: () => Promise.resolve(new Response('<ErrorResponse/>', { status: 429, headers: { 'Retry-After': '5' } })),
  });
  const outcome = await sender.send({ body: 'b' });
  assert.equal(outcome.status, 429);
  assert.equal(outcome.retryAfter, '5');
  assert.equal(outcome.body, '<ErrorResponse/>');
});

test('the status is told before the body is read, so the next batch need not wait for it', async () => {
  let sendRest;
  const rest = new Promise((resolve) => (sendRest = resolve));
  const body = new ReadableStream({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode('<SendMessageBatchResponse>'));
      await rest;
      controller.enqueue(new TextEncoder().encode('</SendMessageBatchResponse>'));
      controller.close();
    },
  });
  const { sender } = setUp({ respond: async () => new Response(body, { status: 200 }) });
  const told = [];
  let settled = false;
  const sending = sender
    .send({ body: 'b', publicOnly: false }, (status) => told.push(status))
    .then((outcome) => ((settled = true), outcome));
  for (let i = 0; i < 1000 && !told.length; i++) await new Promise((resolve) => setTimeout(resolve, 1));
  assert.deepEqual(told, [200]);
  assert.equal(settled, false);
  sendRest();
  const outcome = await sending;
  assert.equal(outcome.body, '<SendMessageBatchResponse></SendMessageBatchResponse>');
  assert.deepEqual(told, [200]);
});

test('a request that gets no answer tells no status', async () => {
  const { sender } = setUp({ respond: () => Promise.reject(new TypeError('Failed to fetch')) });
  const told = [];
  const outcome = await sender.send({ body: 'b', publicOnly: false }, (status) => told.push(status));
  assert.equal(outcome.kind, OutcomeKind.networkError);
  assert.deepEqual(told, []);
});
