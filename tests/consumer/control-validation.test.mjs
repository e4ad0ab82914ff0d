// POST /consumer/control: only JSON, every field checked, and no request can
// take the consumer down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consumerPerTest, entry, postBatch, postControl, rawRequest } from './running-consumer.mjs';

const testConsumer = consumerPerTest();

test('the error mode with status 0 is refused, and a batch sent afterwards does not stop the consumer', async () => {
  await testConsumer.command('demo/consumer/main.mjs');
  const control = await postControl(testConsumer.running.url, { mode: 'error', status: 0 });
  await postBatch(testConsumer.running.url, [entry('after-the-bad-control')]).catch(() => {});
  const stats = await fetch(`${testConsumer.running.url}/consumer/stats`).catch((error) => {
    assert.fail(
      `the consumer stopped serving (${error.cause?.code ?? error.message}):\n${testConsumer.running.output()}`,
    );
  });
  assert.equal(stats.status, 200);
  assert.equal(control.status, 400);
  assert.equal((await control.json()).field, 'status');
});

const currentFaults = async (url) => (await (await fetch(`${url}/consumer/stats`)).json()).faults;

test('a control request of any other content type is refused with 415 and changes nothing', async () => {
  const { url } = await testConsumer.inProcess();
  for (const contentType of [
    'text/plain;charset=UTF-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonp',
    undefined,
  ]) {
    const headers = contentType === undefined ? {} : { 'Content-Type': contentType };
    const res = await rawRequest(url, { method: 'POST', path: '/consumer/control', headers, body: '{"mode":"down"}' });
    assert.equal(res.status, 415, String(contentType));
    assert.match(JSON.parse(res.text).error, /application\/json/);
  }
  assert.equal((await currentFaults(url)).mode, 'up');
});

test("a control body sent as text/plain is refused even from the consumer's own origin, and JSON from it is accepted", async () => {
  const { url } = await testConsumer.inProcess();
  const asThePage = (contentType, site) =>
    rawRequest(url, {
      method: 'POST',
      path: '/consumer/control',
      body: '{"mode":"error","status":503}',
      headers: { 'Content-Type': contentType, Origin: url, 'Sec-Fetch-Site': site },
    });
  assert.equal((await asThePage('text/plain;charset=UTF-8', 'same-origin')).status, 415);
  assert.equal((await currentFaults(url)).mode, 'up');
  assert.equal((await asThePage('application/json', 'same-origin')).status, 200);
  assert.equal((await currentFaults(url)).mode, 'error');
  assert.equal((await asThePage('application/json', 'cross-site')).status, 403);
});

// Each body, and the field its 400 must name (null: the body as a whole).
const MALFORMED = [
  ['{"mode":"sideways"}', 'mode'],
  ['{"mode":5}', 'mode'],
  ['{"mode":null}', 'mode'],
  ['{"mode":"error","status":0}', 'status'],
  ['{"mode":"error","status":99}', 'status'],
  ['{"mode":"error","status":600}', 'status'],
  ['{"mode":"error","status":503.5}', 'status'],
  ['{"mode":"error","status":"503"}', 'status'],
  ['{"mode":"error","status":1e309}', 'status'],
  ['{"mode":"throttle","retryAfterSeconds":-1}', 'retryAfterSeconds'],
  ['{"mode":"throttle","retryAfterSeconds":1.5}', 'retryAfterSeconds'],
  ['{"mode":"throttle","retryAfterSeconds":"2"}', 'retryAfterSeconds'],
  ['{"mode":"throttle","retryAfterSeconds":1e12}', 'retryAfterSeconds'],
  ['{"mode":"slow","delayMs":-1}', 'delayMs'],
  ['{"mode":"slow","delayMs":1e309}', 'delayMs'],
  ['{"mode":"slow","delayMs":1e12}', 'delayMs'],
  ['{"mode":"slow","delayMs":[]}', 'delayMs'],
  ['{"mode":"senderFault","senderFaultRate":1.5}', 'senderFaultRate'],
  ['{"mode":"senderFault","senderFaultRate":-0.1}', 'senderFaultRate'],
  ['{"mode":"senderFault","senderFaultRate":true}', 'senderFaultRate'],
  ['{"mode":"down","count":0}', 'count'],
  ['{"mode":"down","count":-3}', 'count'],
  ['{"mode":"down","count":2.5}', 'count'],
  ['{"mode":"down","count":"2"}', 'count'],
  ['{"mode":"error","statuss":500}', 'statuss'],
  ['{"mode":"down","__proto__":{"mode":"up"}}', '__proto__'],
  ['', null],
  ['{', null],
  ['[]', null],
  ['null', null],
  ['"down"', null],
  ['42', null],
];

test('every malformed control body is refused with 400 naming the field, changes nothing, and the consumer keeps serving', async () => {
  const { url } = await testConsumer.inProcess();
  const before = await (await postControl(url, { mode: 'throttle', retryAfterSeconds: 3 })).json();
  for (const [body, field] of MALFORMED) {
    const res = await postControl(url, body);
    assert.equal(res.status, 400, body);
    const answer = await res.json();
    assert.equal(answer.field, field, body);
    if (field) assert.match(answer.error, new RegExp(field), body);
    assert.deepEqual(await currentFaults(url), before, `${body} left the faults as they were`);
  }
  const batch = await postBatch(url, [entry('after-the-malformed-bodies')]);
  assert.equal(batch.status, 429, 'the earlier throttle still applies');
});

test('a control body larger than 64 KiB is refused with 413', async () => {
  const { url } = await testConsumer.inProcess();
  const res = await postControl(url, JSON.stringify({ mode: 'up', padding: 'x'.repeat(70 * 1024) }));
  assert.equal(res.status, 413);
  assert.equal((await fetch(`${url}/consumer/stats`)).status, 200);
});

test('every fault the browser tests, the bench and the demo page ask for is accepted as it is sent', async () => {
  const { url } = await testConsumer.inProcess();
  const used = [
    { mode: 'up' },
    { mode: 'down' },
    { mode: 'error', status: 503 },
    { mode: 'error', count: 2 },
    { mode: 'throttle', retryAfterSeconds: 2, count: 1 },
    { mode: 'throttle', retryAfterSeconds: 5 },
    { mode: 'hang' },
    { mode: 'hang', count: 1 },
    { mode: 'slow', delayMs: 150 },
    { mode: 'slow', delayMs: 3000 },
    { mode: 'unrelated' },
    { mode: 'senderFault', senderFaultRate: 1, count: 1 },
    { mode: 'senderFault', senderFaultRate: 0.3 },
    { mode: 'unauthorized', subStatus: 11003, count: 1 },
  ];
  for (const fault of used) {
    const res = await postControl(url, fault);
    assert.equal(res.status, 200, JSON.stringify(fault));
    assert.equal((await res.json()).mode, fault.mode);
  }
});

test('the reset endpoint accepts no body or a JSON one, and refuses any other content type with 415', async () => {
  const { url } = await testConsumer.inProcess();
  await postBatch(url, [entry('to-clear')]);
  assert.equal((await fetch(`${url}/consumer/reset`, { method: 'POST' })).status, 200);
  const asTheBench = await fetch(`${url}/consumer/reset`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  assert.equal(asTheBench.status, 200);
  await postBatch(url, [entry('kept')]);
  const form = await rawRequest(url, {
    method: 'POST',
    path: '/consumer/reset',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'a=b',
  });
  assert.equal(form.status, 415);
  assert.equal((await (await fetch(`${url}/consumer/stats`)).json()).accepted, 1);
});

test('the events and requests endpoints refuse an after or limit that is not a whole number, naming it', async () => {
  const { url } = await testConsumer.inProcess();
  for (const [path, field] of [
    ['/consumer/events?after=abc', 'after'],
    ['/consumer/events?after=-1', 'after'],
    ['/consumer/events?limit=1.5', 'limit'],
    ['/consumer/requests?limit=all', 'limit'],
  ]) {
    const res = await fetch(url + path);
    assert.equal(res.status, 400, path);
    assert.equal((await res.json()).field, field, path);
  }
  assert.equal((await fetch(`${url}/consumer/events?after=0&limit=1000`)).status, 200);
});

test('a method an endpoint does not answer is refused with 405 and the methods it does', async () => {
  const { url } = await testConsumer.inProcess();
  const res = await fetch(`${url}/consumer/control`);
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST, OPTIONS');
  assert.equal((await fetch(`${url}/api/event-batch`)).status, 405);
});
