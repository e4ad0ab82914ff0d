// The collector's answer is read up to a cap, and no further.
import assert from 'node:assert/strict';
import test from 'node:test';
import { MAX_RESPONSE_BODY_BYTES, readCappedBody } from '../../web/response-body.js';

test('a short body is read whole', async () => {
  assert.equal(await readCappedBody(new Response('<SendMessageBatchResponse/>')), '<SendMessageBatchResponse/>');
});

test('an empty body is empty', async () => {
  assert.equal(await readCappedBody(new Response(null, { status: 204 })), '');
});

test('an endless body is cut at the cap and the stream is cancelled', async () => {
  let pulled = 0;
  let cancelled = false;
  const endless = new ReadableStream({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(16 * 1024).fill(0x61));
    },
    cancel() {
      cancelled = true;
    },
  });
  const text = await readCappedBody(new Response(endless));
  assert.equal(text.length, MAX_RESPONSE_BODY_BYTES);
  assert.ok(cancelled, 'the rest of the body is not downloaded');
  assert.ok(pulled <= MAX_RESPONSE_BODY_BYTES / (16 * 1024) + 2, `read ${pulled} chunks`);
});

test('a cut inside a multi-byte character drops the partial character', async () => {
  const text = await readCappedBody(new Response('aé'), 2); // 'é' is 2 bytes
  assert.equal(text, 'a');
});
