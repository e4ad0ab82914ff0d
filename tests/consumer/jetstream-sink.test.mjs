// The consumer with its JetStream sink against Debian's nats-server on a
// loopback port: a confirmation means the stream holds the entry, a re-sent
// batch is stored once, an entry the stream refuses is refused alone, and
// while no server answers nothing is confirmed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startNatsServer } from '../../demo/local-nats-server.mjs';
import { createJetStreamSink, nameOfSubjectToken, subjectTokenOf } from '../../demo/consumer/jetstream-sink.mjs';
import { entry, postBatch, removeDataDir, startCommand, startConsumer, temporaryDataDir } from './running-consumer.mjs';
import { createStream, streamContents } from './stream-contents.mjs';

let dataDir;
let nats;
const running = [];

before(async () => {
  dataDir = temporaryDataDir();
  nats = await startNatsServer({ dataDir: join(dataDir, 'nats') });
});
after(async () => {
  for (const consumer of running) await consumer.stop();
  await nats?.stop();
  removeDataDir(dataDir);
});

/** A consumer on `stream` (a fresh one unless named) of `servers`, once its sink answers. */
async function startJetStreamConsumer({ servers = [nats.url], stream = `s-${randomUUID().slice(0, 8)}` } = {}) {
  const sink = createJetStreamSink({ servers, stream });
  const consumer = await startConsumer({ dataDir, sink });
  running.push(consumer);
  await waitUntil(async () => (await fetch(`${consumer.url}/consumer/stats`)).status === 200, 'the sink to answer');
  return { ...consumer, stream, servers };
}

// Polls, as the producer retries: how often is no part of what is tested.
async function waitUntil(check, what, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const ids = (xml, tag) => [...xml.matchAll(new RegExp(`<${tag}><Id>([^<]*)</Id>`, 'g'))].map((m) => m[1]);
const stats = async (url) => (await fetch(`${url}/consumer/stats`)).json();
const batchOf = (prefix, count) => Array.from({ length: count }, (_, i) => entry(`${prefix}-${i}`));

test('a batch is confirmed once the stream holds each entry, under its Id as the message id', async () => {
  const { url, stream, servers } = await startJetStreamConsumer();
  const res = await postBatch(url, batchOf('held', 3), { token: 't' });
  assert.equal(res.status, 200);
  const confirmed = ids(await res.text(), 'SendMessageBatchResultEntry');
  assert.deepEqual(confirmed, ['held-0', 'held-1', 'held-2']);
  const held = await streamContents(servers, stream);
  assert.deepEqual(
    held.map((m) => m.msgId),
    confirmed,
  );
  assert.deepEqual(
    held.map((m) => m.event.id),
    confirmed,
  );
  assert.equal(held[0].event.authenticated, true);
  assert.match(held[0].event.body, /held-0/);
});

test('a re-sent batch is confirmed again and stored once', async () => {
  const { url, stream, servers } = await startJetStreamConsumer();
  const batch = batchOf('again', 4);
  const first = await postBatch(url, batch);
  const second = await postBatch(url, batch);
  assert.deepEqual(
    ids(await second.text(), 'SendMessageBatchResultEntry'),
    ids(await first.text(), 'SendMessageBatchResultEntry'),
  );
  assert.equal((await streamContents(servers, stream)).length, 4);
  const counts = await stats(url);
  assert.equal(counts.accepted, 4);
  assert.equal(counts.duplicates, 4);
  assert.equal(counts.received, 8);
});

test("an entry the stream refuses is a failed entry of its own, the sender's fault; the rest are stored", async () => {
  const stream = `poison-${randomUUID().slice(0, 8)}`;
  // A stream that takes messages of at most 2 KiB: an 8 KiB event is one it can never store.
  await createStream([nats.url], stream, { max_msg_size: 2048 });
  const { url, servers } = await startJetStreamConsumer({ stream });
  const poison = entry('poison', 'play', JSON.stringify({ pad: 'x'.repeat(8192) }));
  const xml = await (await postBatch(url, [entry('before'), poison, entry('after')])).text();
  assert.deepEqual(ids(xml, 'SendMessageBatchResultEntry'), ['before', 'after']);
  assert.deepEqual(ids(xml, 'BatchResultErrorEntry'), ['poison']);
  assert.match(xml, /<Id>poison<\/Id><SenderFault>true<\/SenderFault><Code>JetStream\.\d+<\/Code>/);
  assert.deepEqual(
    (await streamContents(servers, stream)).map((m) => m.msgId),
    ['before', 'after'],
  );
  assert.equal((await stats(url)).rejected, 1);
});

test("an entry a full stream cannot take is kept by the producer: the receiver's fault, or 503 when nothing was stored", async () => {
  const stream = `full-${randomUUID().slice(0, 8)}`;
  // A stream that takes two messages and refuses more (discard: new).
  await createStream([nats.url], stream, { max_msgs: 2, discard: 'new' });
  const { url } = await startJetStreamConsumer({ stream });
  const xml = await (await postBatch(url, [entry('first'), entry('second'), entry('third')])).text();
  assert.deepEqual(ids(xml, 'SendMessageBatchResultEntry'), ['first', 'second']);
  assert.match(xml, /<Id>third<\/Id><SenderFault>false<\/SenderFault><Code>ServiceUnavailable<\/Code>/);
  const again = await postBatch(url, [entry('third')]);
  assert.equal(again.status, 503);
  assert.equal(again.headers.get('retry-after'), '2');
});

test('while the server is down nothing is confirmed (503, Retry-After); once it is back the batch is stored once', async () => {
  const ownDir = temporaryDataDir();
  const server = await startNatsServer({ dataDir: ownDir });
  try {
    const { url, stream } = await startJetStreamConsumer({ servers: [server.url] });
    assert.equal((await postBatch(url, batchOf('before-outage', 2))).status, 200);
    await server.kill(); // as a crash would end it
    const batch = batchOf('outage', 3);
    const refused = await postBatch(url, batch);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers.get('retry-after'), '2');
    const body = await refused.text();
    assert.deepEqual(ids(body, 'SendMessageBatchResultEntry'), []);
    assert.match(body, /<Type>Receiver<\/Type><Code>ServiceUnavailable<\/Code>/);
    assert.equal((await fetch(`${url}/consumer/stats`)).status, 503);

    await server.start(); // the same port and data
    let confirmed = [];
    await waitUntil(async () => {
      const res = await postBatch(url, batch);
      if (res.status === 200) confirmed = ids(await res.text(), 'SendMessageBatchResultEntry');
      return res.status === 200;
    }, 'a confirmation once the server is back');
    assert.deepEqual(confirmed, ['outage-0', 'outage-1', 'outage-2']);
    await postBatch(url, batch); // the producer's re-send after a lost answer
    assert.deepEqual(
      (await streamContents([server.url], stream)).map((m) => m.msgId),
      ['before-outage-0', 'before-outage-1', 'outage-0', 'outage-1', 'outage-2'],
    );
  } finally {
    await server.stop();
    removeDataDir(ownDir);
  }
});

test('two consumers on one stream store each event once and both report what the stream holds', async () => {
  const first = await startJetStreamConsumer();
  const second = await startJetStreamConsumer({ stream: first.stream });
  await postBatch(first.url, [entry('one', 'play'), entry('two', 'skip')], { token: 't' });
  // The same event through the other consumer: the producer's retry may go to either.
  await postBatch(second.url, [entry('two', 'skip'), entry('three', 'play')]);
  for (const { url } of [first, second]) {
    const counts = await stats(url);
    assert.equal(counts.accepted, 3);
    assert.deepEqual(counts.byName, { play: 2, skip: 1 });
    assert.equal(counts.authenticated, 2);
    assert.deepEqual(counts.sink, { kind: 'jetstream', stream: first.stream, servers: [nats.url] });
  }
  const page = await (await fetch(`${second.url}/consumer/events?after=1&limit=10`)).json();
  assert.deepEqual(
    page.events.map((e) => e.id),
    ['two', 'three'],
  );
  assert.equal(page.next, 3);
  assert.equal((await fetch(`${first.url}/consumer/reset`, { method: 'POST' })).status, 200);
  assert.equal((await stats(second.url)).accepted, 0);
});

test('event names of any characters are counted under their own name', async () => {
  const { url } = await startJetStreamConsumer();
  const names = ['a.b', 'with space', '*', '>', 'ünï 🎵', '%41'];
  await postBatch(
    url,
    names.map((name, i) => entry(`n${i}`, name)),
  );
  assert.deepEqual(Object.keys((await stats(url)).byName).sort(), [...names].sort());
  for (const name of names) assert.equal(nameOfSubjectToken(subjectTokenOf(name)), name);
  // 200 characters of token: 31 × 6 for "é" (%C3%A9), 9 for "…".
  const long = 'é'.repeat(1000);
  assert.ok(subjectTokenOf(long).length <= 200);
  assert.equal(nameOfSubjectToken(subjectTokenOf(long)), `${'é'.repeat(31)}…`);
});

test('the consumer command publishes to the stream --sink names, and refuses a --sink it cannot use', async () => {
  const stream = `cli-${randomUUID().slice(0, 8)}`;
  const command = await startCommand('demo/consumer/main.mjs', ['--port', '0', '--sink', nats.url, '--stream', stream]);
  try {
    await command.waitForOutput(/publishing to JetStream stream/);
    assert.equal((await postBatch(command.url, [entry('cli')])).status, 200);
    assert.deepEqual(
      (await streamContents([nats.url], stream)).map((m) => m.msgId),
      ['cli'],
    );
  } finally {
    await command.stop();
  }
  await assert.rejects(
    startCommand('demo/consumer/main.mjs', ['--port', '0', '--sink', 'kafka://x:1']),
    /--sink takes file or nats:\/\/host:port/,
  );
});
