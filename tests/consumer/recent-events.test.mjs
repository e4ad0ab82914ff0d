// /consumer/events?last=N, with each sink: the latest events it holds, as
// the demo page lists them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startNatsServer } from '../../demo/local-nats-server.mjs';
import { createJetStreamSink } from '../../demo/consumer/jetstream-sink.mjs';
import { entry, postBatch, removeDataDir, startConsumer, temporaryDataDir } from './running-consumer.mjs';

let dataDir;
let nats;
before(async () => {
  dataDir = temporaryDataDir();
  nats = await startNatsServer({ dataDir: join(dataDir, 'nats') });
});
after(async () => {
  await nats?.stop();
  removeDataDir(dataDir);
});

const latest = async (url, query) => (await fetch(`${url}/consumer/events?${query}`)).json();

const sinks = {
  file: () => undefined, // the consumer's default
  JetStream: () => createJetStreamSink({ servers: [nats.url], stream: 'recent' }),
};

for (const [name, sinkFor] of Object.entries(sinks)) {
  test(`with the ${name} sink, ?last=N gives the N latest events, also after a reset`, async () => {
    const running = await startConsumer({ dataDir: join(dataDir, name), sink: sinkFor() });
    try {
      // Until the sink answers (JetStream: connected and the stream made).
      for (let tries = 0; (await postBatch(running.url, [entry('e0')])).status !== 200; tries++) {
        assert.ok(tries < 100, 'the sink answers');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await postBatch(running.url, [entry('e1'), entry('e2'), entry('e3')]);
      assert.deepEqual(
        (await latest(running.url, 'last=2')).events.map((e) => e.id),
        ['e2', 'e3'],
      );
      assert.deepEqual(
        (await latest(running.url, 'last=10')).events.map((e) => e.id),
        ['e0', 'e1', 'e2', 'e3'],
      );
      assert.equal((await fetch(`${running.url}/consumer/events?last=two`)).status, 400);
      await fetch(`${running.url}/consumer/reset`, { method: 'POST' });
      await postBatch(running.url, [entry('after-reset')]);
      assert.deepEqual(
        (await latest(running.url, 'last=5')).events.map((e) => e.id),
        ['after-reset'],
      );
    } finally {
      await running.stop();
    }
  });
}
