// The wasm boundary's strings: a failed allocation is an error, never a
// write at address 0, and nothing allocated before it leaks.
import assert from 'node:assert/strict';
import test from 'node:test';
import { workerErrorId } from '../../web/error-ids.js';
import { producerError } from '../../web/errors.js';
import { createCoreStrings } from '../../worker/core-strings.js';
import { createMessageLoop } from '../../worker/message-loop.js';

/** A core with `capacity` bytes of memory; _malloc returns 0 beyond it, as emscripten's does. */
function fakeCore(capacity) {
  const memory = new Map(); // pointer → text
  let used = 0;
  let next = 8;
  const sizes = new Map();
  const writes = [];
  return {
    memory,
    writes,
    get used() {
      return used;
    },
    lengthBytesUTF8: (text) => Buffer.byteLength(text),
    _malloc(size) {
      if (used + size > capacity) return 0;
      used += size;
      const pointer = next;
      next += size;
      sizes.set(pointer, size);
      return pointer;
    },
    _free(pointer) {
      used -= sizes.get(pointer);
      sizes.delete(pointer);
      memory.delete(pointer);
    },
    stringToUTF8(text, pointer) {
      writes.push(pointer);
      memory.set(pointer, text);
    },
  };
}

test('a string is in the core for the call and freed after it', () => {
  const core = fakeCore(100);
  const { withCString } = createCoreStrings(core);
  const seen = withCString('héllo', (pointer, length) => [core.memory.get(pointer), length]);
  assert.deepEqual(seen, ['héllo', 6]);
  assert.equal(core.used, 0);
});

test('a failed allocation throws out_of_memory and writes nothing at address 0', () => {
  const core = fakeCore(4);
  const { withCString } = createCoreStrings(core);
  let called = false;
  assert.throws(() => withCString('too long for the core', () => (called = true)), {
    code: 'out_of_memory',
    message: 'the core could not allocate 22 bytes',
  });
  assert.equal(called, false);
  assert.deepEqual(core.writes, []);
});

test('when the second of several strings fails, the first is freed', () => {
  const core = fakeCore(12);
  const { withCStrings } = createCoreStrings(core);
  assert.throws(() => withCStrings(['short', 'much too long'], () => {}), { code: 'out_of_memory' });
  assert.equal(core.used, 0);
  assert.ok(!core.writes.includes(0));
});

test('null and undefined pass address 0 without allocating', () => {
  const core = fakeCore(100);
  const { withCStrings } = createCoreStrings(core);
  const pointers = withCStrings([null, 'a', undefined], (...p) => p);
  assert.equal(pointers[0], 0);
  assert.notEqual(pointers[1], 0);
  assert.equal(pointers[2], 0);
  assert.equal(core.used, 0);
});

test("a failed allocation reaches the page's caller with its id once", async () => {
  const { withCString } = createCoreStrings(fakeCore(4));
  /** @type {any[]} */
  const posted = [];
  const loop = createMessageLoop({
    handlers: { stats: () => withCString('too long for the core', () => {}) },
    ready: () => true,
    needsReady: () => true,
    post: (notice) => posted.push(notice),
    reportProblem: () => {},
  });
  await loop.receive({ action: 'stats', id: 1 });
  const { code, message } = posted[0].error;
  // As the page's session makes the error of a failed reply (web/session.js).
  assert.equal(
    producerError(workerErrorId(code), message).message,
    '[tep.worker.out_of_memory] the core could not allocate 22 bytes',
  );
});
