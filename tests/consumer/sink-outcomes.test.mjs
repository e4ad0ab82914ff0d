// What the consumer answers for each outcome its sink reports, with a sink
// that reports what each test asks: the answer the producer's poison
// isolation and retries rely on, whatever the sink behind it.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { SinkUnavailableError } from '../../demo/consumer/event-sink.mjs';
import { entry, postBatch, startConsumer } from './running-consumer.mjs';

let running;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A sink whose storeAll answers `outcome(id)` for each event, and whose reads fail as unavailable. */
function scriptedSink(outcome) {
  const unavailable = async () => {
    throw new SinkUnavailableError('scripted: unreachable');
  };
  return {
    description: { kind: 'scripted' },
    storeAll: async (events) => events.map((event) => ({ id: event.id, ...outcome(event.id) })),
    counts: unavailable,
    page: unavailable,
    clear: unavailable,
    close: async () => {},
  };
}

const ids = (xml, tag) => [...xml.matchAll(new RegExp(`<${tag}><Id>([^<]*)</Id>`, 'g'))].map((m) => m[1]);

test('a batch of which the sink could store nothing answers 503 with Retry-After and confirms nothing', async () => {
  running = await startConsumer({ sink: scriptedSink(() => ({ outcome: 'unavailable', message: 'down' })) });
  const res = await postBatch(running.url, [entry('a'), entry('b')]);
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '2');
  assert.deepEqual(ids(await res.text(), 'SendMessageBatchResultEntry'), []);
});

test("entries the sink could not be asked about beside stored ones are failed entries, the receiver's fault", async () => {
  running = await startConsumer({
    sink: scriptedSink((id) =>
      id === 'late' ? { outcome: 'unavailable', message: 'timed out' } : { outcome: 'stored' },
    ),
  });
  const xml = await (await postBatch(running.url, [entry('stored'), entry('late')])).text();
  assert.deepEqual(ids(xml, 'SendMessageBatchResultEntry'), ['stored']);
  assert.match(xml, /<Id>late<\/Id><SenderFault>false<\/SenderFault><Code>ServiceUnavailable<\/Code>/);
});

test("a refusal keeps the sink's verdict on whose fault it is", async () => {
  running = await startConsumer({
    sink: scriptedSink((id) =>
      id === 'stored'
        ? { outcome: 'stored' }
        : { outcome: 'refused', senderFault: id === 'poison', code: 'Sink.Refused', message: 'no' },
    ),
  });
  const xml = await (await postBatch(running.url, [entry('stored'), entry('poison'), entry('full')])).text();
  assert.match(xml, /<Id>poison<\/Id><SenderFault>true<\/SenderFault><Code>Sink.Refused<\/Code>/);
  assert.match(xml, /<Id>full<\/Id><SenderFault>false<\/SenderFault><Code>Sink.Refused<\/Code>/);
});

test('the inspection endpoints answer 503 with Retry-After while the sink is unreachable', async () => {
  running = await startConsumer({ sink: scriptedSink(() => ({ outcome: 'stored' })) });
  for (const [path, method] of [
    ['/consumer/stats', 'GET'],
    ['/consumer/events', 'GET'],
    ['/consumer/reset', 'POST'],
  ]) {
    const res = await fetch(`${running.url}${path}`, { method });
    assert.equal(res.status, 503, path);
    assert.equal(res.headers.get('retry-after'), '2', path);
    assert.match((await res.json()).error, /scripted: unreachable/);
  }
});
