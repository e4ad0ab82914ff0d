// The batch the page sends itself when hidden: the request as the worker
// would send it, and its outcome told back, whatever happens to it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLeavingBatch, sendLeavingBatch } from '../../web/leaving-batch.js';

const leaving = {
  version: 4,
  body: 'Action=SendMessageBatch&x=1',
  url: 'https://c.example/api/event-batch',
  token: 'tok',
};

test('it goes with keepalive, the token and no cookies, and the answer is told back', async () => {
  const calls = [];
  const answers = [];
  await sendLeavingBatch(leaving, (outcome) => answers.push(outcome), {
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response('<SendMessageBatchResponse/>', {
        status: 200,
        headers: { Date: 'Tue, 01 Dec 2026 12:00:00 GMT' },
      });
    },
  });
  assert.equal(calls[0].url, leaving.url);
  assert.equal(calls[0].init.keepalive, true);
  assert.equal(calls[0].init.credentials, 'omit');
  assert.equal(calls[0].init.headers.Authorization, 'Bearer tok');
  assert.equal(calls[0].init.body, leaving.body);
  assert.deepEqual(answers, [
    {
      version: 4,
      kind: 0,
      status: 200,
      body: '<SendMessageBatchResponse/>',
      retryAfter: '',
      date: 'Tue, 01 Dec 2026 12:00:00 GMT',
    },
  ]);
});

test('without a token there is no Authorization header', async () => {
  let headers;
  await sendLeavingBatch({ ...leaving, token: null }, () => {}, {
    fetch: async (url, init) => ((headers = init.headers), new Response('')),
  });
  assert.equal(headers.Authorization, undefined);
});

test('a refused request (over the keepalive quota, CSP) and a network error are told as network errors', async () => {
  for (const fetch of [
    () => {
      throw new TypeError('keepalive quota');
    },
    () => Promise.reject(new TypeError('Failed to fetch')),
  ]) {
    const answers = [];
    await sendLeavingBatch(leaving, (outcome) => answers.push(outcome), { fetch });
    assert.equal(answers.length, 1);
    assert.equal(answers[0].kind, 1);
    assert.equal(answers[0].version, 4);
  }
});

test('a request that hangs past 10 s is told as a timeout', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const answers = [];
  const sent = sendLeavingBatch(leaving, (outcome) => answers.push(outcome), {
    fetch: (url, init) =>
      new Promise((resolve, reject) =>
        init.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      ),
  });
  t.mock.timers.tick(10000);
  await sent;
  assert.equal(answers[0].kind, 2);
});

test('the batch held goes only if built under the consent in force, once', () => {
  let consentSeq = 2;
  const sent = [];
  const batch = createLeavingBatch({ consentSeq: () => consentSeq, send: (leaving) => sent.push(leaving.version) });
  batch.hold({ type: 'leaving', version: 1, consentSeq: 2, body: 'b', url: 'u' });
  consentSeq = 3; // changed in another tab after the batch was built
  assert.equal(
    batch.send(() => {}),
    undefined,
  );
  batch.hold({ type: 'leaving', version: 2, consentSeq: 3, body: 'b', url: 'u' });
  batch.hold({ type: 'leaving', version: 3, consentSeq: 3, body: null });
  assert.equal(
    batch.send(() => {}),
    undefined,
    'body null: the worker has none',
  );
  batch.hold({ type: 'leaving', version: 4, consentSeq: 3, body: 'b', url: 'u' });
  batch.forget();
  assert.equal(
    batch.send(() => {}),
    undefined,
    'forgotten at a change of consent',
  );
  batch.hold({ type: 'leaving', version: 5, consentSeq: 3, body: 'b', url: 'u' });
  assert.equal(
    batch.send(() => {}),
    5,
  );
  assert.equal(
    batch.send(() => {}),
    undefined,
  );
  assert.deepEqual(sent, [5]);
});
