// The reference consumer: the wire format both ways, dedupe, durability
// across a restart, and every fault mode.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenFingerprint } from '../../demo/consumer/redaction.mjs';
import { consumerPerTest, entry, formBody, postBatch as post, postControl } from './running-consumer.mjs';

const testConsumer = consumerPerTest();

const control = (url, fault) => postControl(url, fault).then((r) => r.json());
const stats = (url) => fetch(`${url}/consumer/stats`).then((r) => r.json());
const events = (url) =>
  fetch(`${url}/consumer/events?after=0&limit=1000`)
    .then((r) => r.json())
    .then((r) => r.events);
const ids = (xml, tag) => [...xml.matchAll(new RegExp(`<${tag}><Id>([^<]*)</Id>`, 'g'))].map((m) => m[1]);

test('a form body with unicode, emoji and reserved characters is stored exactly', async () => {
  const { url } = await testConsumer.inProcess();
  const body = JSON.stringify({ name: 'play', payload: { t: 'héllo 🎵 a+b=c&d%20 e' } });
  const res = await post(url, [entry('id-1', 'play', body)], { token: 't' });
  assert.equal(res.status, 200);
  const [stored] = await events(url);
  assert.equal(stored.body, body);
  assert.equal(stored.authenticated, true);
  assert.deepEqual(stored.headers, { 'client-id': 'c' });
});

test('the response is SQS XML naming every accepted Id', async () => {
  const { url } = await testConsumer.inProcess();
  const res = await post(url, [entry('a'), entry('b')]);
  const xml = await res.text();
  assert.match(res.headers.get('content-type'), /text\/xml/);
  assert.ok(res.headers.get('date'));
  assert.match(
    xml,
    /^<\?xml version="1.0"\?><SendMessageBatchResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageBatchResult>/,
  );
  assert.deepEqual(ids(xml, 'SendMessageBatchResultEntry'), ['a', 'b']);
  assert.match(xml, /<MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody>/);
  assert.match(xml, /<ResponseMetadata><RequestId>/);
});

test("entries with an empty or non-JSON body are refused as the sender's fault", async () => {
  const { url } = await testConsumer.inProcess();
  const xml = await (
    await post(url, [entry('good'), entry('empty', 'play', ''), entry('text', 'play', 'not json')])
  ).text();
  assert.deepEqual(ids(xml, 'SendMessageBatchResultEntry'), ['good']);
  assert.deepEqual(ids(xml, 'BatchResultErrorEntry'), ['empty', 'text']);
  assert.match(xml, /<SenderFault>true<\/SenderFault><Code>InvalidMessageContents<\/Code>/);
  assert.equal((await stats(url)).rejected, 2);
});

test('more than ten entries or repeated Ids fail the whole request', async () => {
  const { url } = await testConsumer.inProcess();
  const many = await post(
    url,
    Array.from({ length: 11 }, (_, i) => entry(`e${i}`)),
  );
  assert.equal(many.status, 400);
  assert.match(await many.text(), /TooManyEntriesInBatchRequest/);
  const twice = await post(url, [entry('same'), entry('same')]);
  assert.equal(twice.status, 400);
  assert.match(await twice.text(), /<Type>Sender<\/Type><Code>AWS.SimpleQueueService.BatchEntryIdsNotDistinct<\/Code>/);
  const empty = await post(url, 'nothing=here');
  assert.equal(empty.status, 400);
  assert.equal((await stats(url)).accepted, 0);
});

test('an Id sent again is confirmed again but stored once and counted as a duplicate', async () => {
  const { url } = await testConsumer.inProcess();
  await post(url, [entry('x'), entry('y')]);
  const xml = await (await post(url, [entry('x')])).text();
  assert.deepEqual(ids(xml, 'SendMessageBatchResultEntry'), ['x']);
  const s = await stats(url);
  assert.equal(s.accepted, 2);
  assert.equal(s.received, 3);
  assert.equal(s.duplicates, 1);
  assert.deepEqual(s.byName, { play: 2 });
});

test('stored events and the dedupe survive a restart, and a torn last line is tolerated', async () => {
  let { url, stop } = await testConsumer.inProcess();
  await post(url, [entry('kept-1'), entry('kept-2')]);
  await stop();
  testConsumer.running = undefined;
  appendFileSync(join(testConsumer.dataDir, 'events.jsonl'), '{"id":"torn","na');
  ({ url } = await testConsumer.inProcess());
  assert.equal((await stats(url)).accepted, 2);
  await post(url, [entry('kept-1')]);
  const s = await stats(url);
  assert.equal(s.accepted, 2);
  assert.equal(s.duplicates, 1);
});

test('down refuses the connection and up restores it', async () => {
  const { url } = await testConsumer.inProcess();
  await control(url, { mode: 'down' });
  await assert.rejects(post(url, [entry('a')]));
  await control(url, { mode: 'up' });
  assert.equal((await post(url, [entry('a')])).status, 200);
});

test('error answers with the status asked for and stores nothing', async () => {
  const { url } = await testConsumer.inProcess();
  await control(url, { mode: 'error', status: 502 });
  const res = await post(url, [entry('a')]);
  assert.equal(res.status, 502);
  assert.match(await res.text(), /<Type>Receiver<\/Type>/);
  assert.equal((await stats(url)).accepted, 0);
});

test('throttle answers 429 with Retry-After', async () => {
  const { url } = await testConsumer.inProcess();
  await control(url, { mode: 'throttle', retryAfterSeconds: 7 });
  const res = await post(url, [entry('a')]);
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '7');
});

test('hang keeps the request open until the client gives up', async () => {
  const { url } = await testConsumer.inProcess();
  await control(url, { mode: 'hang' });
  const started = Date.now();
  await assert.rejects(post(url, [entry('a')], { signal: AbortSignal.timeout(300) }), /abort|timeout/i);
  assert.ok(Date.now() - started >= 250);
});

test('slow answers normally after the delay', async () => {
  const { url } = await testConsumer.inProcess();
  await control(url, { mode: 'slow', delayMs: 300 });
  const started = Date.now();
  const res = await post(url, [entry('a')]);
  assert.equal(res.status, 200);
  assert.ok(Date.now() - started >= 280);
  assert.equal((await stats(url)).accepted, 1);
});

test('unrelated answers 200 with a page that confirms nothing and stores nothing', async () => {
  const { url } = await testConsumer.inProcess();
  await control(url, { mode: 'unrelated' });
  const res = await post(url, [entry('a')]);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /captive portal/);
  assert.equal((await stats(url)).accepted, 0);
});

test('senderFault at rate 1 refuses every entry', async () => {
  const { url } = await testConsumer.inProcess();
  await control(url, { mode: 'senderFault', senderFaultRate: 1 });
  const xml = await (await post(url, [entry('a'), entry('b')])).text();
  assert.deepEqual(ids(xml, 'BatchResultErrorEntry'), ['a', 'b']);
  assert.equal((await stats(url)).accepted, 0);
});

test('a fault with a count applies to that many requests, then the consumer is up again', async () => {
  const { url } = await testConsumer.inProcess();
  await control(url, { mode: 'error', count: 2 });
  assert.equal((await post(url, [entry('a')])).status, 503);
  assert.equal((await post(url, [entry('a')])).status, 503);
  assert.equal((await post(url, [entry('a')])).status, 200);
  assert.equal((await stats(url)).faults.mode, 'up');
});

test('an unknown mode is refused with a clear message', async () => {
  const { url } = await testConsumer.inProcess();
  const res = await postControl(url, '{"mode":"sideways"}');
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /unknown mode 'sideways'/);
});

test('CORS preflight of the collector endpoint is answered for any origin', async () => {
  const { url } = await testConsumer.inProcess();
  const res = await fetch(`${url}/api/event-batch`, { method: 'OPTIONS' });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
  assert.match(res.headers.get('access-control-allow-headers'), /Authorization/);
  assert.match(res.headers.get('access-control-expose-headers'), /Retry-After/);
});

test('the requests endpoint keeps raw bodies with the token as a fingerprint, and the reset endpoint clears everything', async () => {
  const { url } = await testConsumer.inProcess();
  const body = formBody([entry('r1')]);
  await post(url, body, { token: 'tok' });
  const { requests } = await (await fetch(`${url}/consumer/requests?limit=5`)).json();
  assert.equal(requests.at(-1).body, body);
  assert.equal(requests.at(-1).authorization, `Bearer ${tokenFingerprint('tok')}`);
  await fetch(`${url}/consumer/reset`, { method: 'POST' });
  const s = await stats(url);
  assert.equal(s.accepted, 0);
  assert.equal(s.requests, 0);
});
