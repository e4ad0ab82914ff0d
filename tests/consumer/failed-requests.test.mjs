// A request that fails ends that request, never the consumer or the demo
// server: it is answered 500 and the next request is served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startDemoServer } from '../../demo/serve.mjs';
import { consumerPerTest, entry, postBatch, rawRequest, removeDataDir } from './running-consumer.mjs';

const testConsumer = consumerPerTest();

test('when a batch cannot be stored it is answered 500 as SQS would, nothing is confirmed, and the next requests are served', async () => {
  await testConsumer.inProcess();
  removeDataDir(testConsumer.dataDir); // the disk is gone: the append throws
  const failed = await postBatch(testConsumer.running.url, [entry('unstorable')]);
  assert.equal(failed.status, 500);
  assert.equal(failed.headers.get('access-control-allow-origin'), '*', 'the producer can read the failure');
  const xml = await failed.text();
  assert.match(xml, /<Type>Receiver<\/Type><Code>InternalError<\/Code>/);
  assert.doesNotMatch(xml, /SendMessageBatchResultEntry/);
  assert.equal((await fetch(`${testConsumer.running.url}/consumer/stats`)).status, 200);
  mkdirSync(testConsumer.dataDir, { recursive: true });
  assert.equal((await postBatch(testConsumer.running.url, [entry('unstorable')])).status, 200);
  assert.equal((await (await fetch(`${testConsumer.running.url}/consumer/stats`)).json()).accepted, 1);
});

test('a request target no URL can be made of does not stop the consumer command', async () => {
  await testConsumer.command('demo/consumer/main.mjs');
  const odd = await rawRequest(testConsumer.running.url, { path: 'http://[' });
  assert.equal(odd.status, 404);
  assert.equal((await fetch(`${testConsumer.running.url}/consumer/stats`)).status, 200);
});

test("when the demo server's file handler throws, the request is answered 500 without the error, and the next request is served", async () => {
  const demo = await startDemoServer({
    port: 0,
    dataDir: testConsumer.dataDir,
    quiet: true,
    serveFiles: () => {
      throw new Error('file handler failed at /secret/path');
    },
  });
  testConsumer.running = { stop: demo.close };
  const failed = await fetch(`${demo.url}demo/index.html`);
  assert.equal(failed.status, 500);
  assert.doesNotMatch(await failed.text(), /secret/);
  assert.equal((await fetch(`${demo.url}consumer/stats`)).status, 200);
});

test("a malformed path given to the demo server's files is not found, not a failure", async () => {
  const demo = await startDemoServer({ port: 0, dataDir: testConsumer.dataDir, quiet: true });
  testConsumer.running = { stop: demo.close };
  assert.equal((await rawRequest(demo.url, { path: '/demo/%E0%A4%A' })).status, 404);
});

test('the unauthorized fault answers 401 with a JSON sub-status, stores nothing, and ends after its count', async () => {
  await testConsumer.inProcess();
  const control = await fetch(`${testConsumer.running.url}/consumer/control`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ mode: 'unauthorized', subStatus: 11002, count: 1 }),
  });
  assert.equal(control.status, 200);
  const refused = await postBatch(testConsumer.running.url, [entry('needs_a_token')]);
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('access-control-allow-origin'), '*', 'the producer can read the sub-status');
  assert.deepEqual(await refused.json(), {
    status: 401,
    subStatus: 11002,
    userMessage: 'injected: the token is not valid',
  });
  assert.equal((await (await fetch(`${testConsumer.running.url}/consumer/stats`)).json()).accepted, 0);
  assert.equal((await postBatch(testConsumer.running.url, [entry('needs_a_token')])).status, 200);
});
