// Where the consumer listens: loopback unless --host says otherwise, said
// plainly at start.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoServer } from '../../demo/serve.mjs';
import { hostNamesOf, listeningNotice, urlOfListeningServer } from '../../demo/consumer/listen-address.mjs';
import { consumerPerTest } from './running-consumer.mjs';

const testConsumer = consumerPerTest();

test('the consumer command listens on 127.0.0.1 by default and says so when it starts', async () => {
  await testConsumer.command('demo/consumer/main.mjs');
  assert.match(testConsumer.running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await testConsumer.running.waitForOutput(/Listening on 127\.0\.0\.1:\d+: this machine only/);
});

test('the demo command listens on 127.0.0.1 by default and says so when it starts', async () => {
  await testConsumer.command('demo/serve.mjs');
  assert.match(testConsumer.running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await testConsumer.running.waitForOutput(/Listening on 127\.0\.0\.1:\d+: this machine only/);
  assert.equal((await fetch(`${testConsumer.running.url}/consumer/stats`)).status, 200);
});

test('--host moves the consumer to the address it names', async () => {
  // Another loopback address: on Linux all of 127.0.0.0/8 reaches this machine.
  await testConsumer.command('demo/consumer/main.mjs', ['--host', '127.0.0.2']);
  assert.match(testConsumer.running.url, /^http:\/\/127\.0\.0\.2:\d+$/);
  assert.equal((await fetch(`${testConsumer.running.url}/consumer/stats`)).status, 200);
});

test('startDemoServer listens on 127.0.0.1 when no host is given', async () => {
  const demo = await startDemoServer({ port: 0, dataDir: testConsumer.dataDir, quiet: true });
  testConsumer.running = { stop: demo.close };
  assert.equal(demo.server.address().address, '127.0.0.1');
  assert.equal(demo.url, `http://127.0.0.1:${demo.server.address().port}/`);
});

test('the start message warns when the consumer is reachable from the network', () => {
  assert.match(
    listeningNotice({ address: '0.0.0.0', port: 8080 }),
    /^Listening on 0\.0\.0\.0:8080: reachable from the network/,
  );
  assert.match(listeningNotice({ address: '::', port: 8080 }), /^Listening on \[::\]:8080: reachable from the network/);
  assert.match(listeningNotice({ address: '::1', port: 8080 }), /this machine only/);
});

test('the URL printed for a server on every interface is one a browser on this machine can open', () => {
  assert.equal(urlOfListeningServer({ address: '0.0.0.0', port: 8080 }), 'http://127.0.0.1:8080/');
  assert.equal(urlOfListeningServer({ address: '::', port: 8080 }), 'http://[::1]:8080/');
  assert.equal(urlOfListeningServer({ address: '192.168.1.20', port: 8080 }), 'http://192.168.1.20:8080/');
});

test('a --host that is a name is one the inspection endpoints answer to, and an address adds none', () => {
  assert.deepEqual(hostNamesOf('DevBox.lan'), ['devbox.lan']);
  assert.deepEqual(hostNamesOf('0.0.0.0'), []);
  assert.deepEqual(hostNamesOf('192.168.1.20'), []);
  assert.deepEqual(hostNamesOf('::'), []);
});
