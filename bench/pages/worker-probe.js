// Runs inside each library's Web Worker, before the library's own worker
// script (the page substitutes this script and passes the real one as
// ?target=). It watches the worker's IndexedDB writes and wasm memory without
// changing them, and reports on the BroadcastChannel 'bench-probe':
//   - when an event (found by the "benchSeq" in its payload) is first part of
//     a committed IndexedDB transaction: { durable: { seq, at } }, `at` in ms
//     since the epoch with sub-ms precision, comparable with the page's clock;
//   - on request, the bytes written by put() and the wasm memory size.
const target = new URL(self.location.href).searchParams.get('target');
const channel = new BroadcastChannel('bench-probe');
const now = () => performance.timeOrigin + performance.now();
const seqPattern = /"benchSeq":(\d+)/g;
const textDecoder = new TextDecoder();

let putCount = 0;
let putBytes = 0;
// Sizing a whole-queue value costs as much as writing it: only while asked.
let countingBytes = false;
// Finding the events in each written value decodes and searches it: the
// phases that don't need it (the drain) turn it off, so the probe doesn't
// slow the worker it measures.
let watchingSeq = true;
let durableSeq = -1;
const wasmMemories = [];
const watchedTransactions = new WeakMap(); // transaction → highest seq in its puts

function lastSeqIn(text) {
  let last = -1;
  for (const match of text.matchAll(seqPattern)) last = Math.max(last, Number(match[1]));
  return last;
}

/** The highest benchSeq in a stored value: an IDBFS file entry, or TIDAL's array of events. */
function highestSeq(value) {
  if (value?.contents instanceof Uint8Array) return lastSeqIn(textDecoder.decode(value.contents));
  if (Array.isArray(value) && value.length) {
    // TIDAL's queue is in sending order: the newest event is last.
    const newest = value[value.length - 1];
    return typeof newest?.payload === 'string' ? lastSeqIn(newest.payload) : -1;
  }
  return -1;
}

function storedBytes(value, key) {
  const keyBytes = typeof key === 'string' ? key.length : 0;
  if (value?.contents instanceof Uint8Array) return value.contents.byteLength + keyBytes;
  if (value === undefined || value === null) return keyBytes;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value.byteLength + keyBytes;
  return new TextEncoder().encode(JSON.stringify(value)).length + keyBytes;
}

const originalPut = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function put(value, key) {
  putCount++;
  if (countingBytes) putBytes += storedBytes(value, key);
  const request = originalPut.apply(this, arguments);
  if (!watchingSeq) return request;
  const seq = highestSeq(value);
  const transaction = this.transaction;
  if (!watchedTransactions.has(transaction)) {
    watchedTransactions.set(transaction, seq);
    transaction.addEventListener('complete', () => {
      const committed = watchedTransactions.get(transaction);
      if (committed > durableSeq) {
        durableSeq = committed;
        channel.postMessage({ durable: { seq: committed, at: now() } });
      }
    });
  } else if (seq > watchedTransactions.get(transaction)) {
    watchedTransactions.set(transaction, seq);
  }
  return request;
};

function keepMemories(result) {
  const instance = result?.instance ?? result;
  for (const value of Object.values(instance?.exports ?? {})) {
    if (value instanceof WebAssembly.Memory) wasmMemories.push(value);
  }
  return result;
}
const originalInstantiate = WebAssembly.instantiate;
WebAssembly.instantiate = (...args) => originalInstantiate.apply(WebAssembly, args).then(keepMemories);
const originalInstantiateStreaming = WebAssembly.instantiateStreaming;
if (originalInstantiateStreaming) {
  WebAssembly.instantiateStreaming = (...args) =>
    originalInstantiateStreaming.apply(WebAssembly, args).then(keepMemories);
}

channel.onmessage = ({ data }) => {
  if (data?.countBytes !== undefined) {
    countingBytes = data.countBytes;
    putCount = 0;
    putBytes = 0;
    channel.postMessage({ counting: countingBytes });
  } else if (data?.watchSeq !== undefined) {
    watchingSeq = data.watchSeq;
    channel.postMessage({ watchingSeq });
  } else if (data?.report) {
    channel.postMessage({
      report: {
        putCount,
        putBytes,
        durableSeq,
        wasmMemoryBytes: wasmMemories.reduce((sum, memory) => sum + memory.buffer.byteLength, 0),
      },
    });
  }
};

// Messages the page posts before the library's script has set its handler
// are kept and handed over once it has.
const early = [];
const keepEarly = (event) => {
  if (typeof self.onmessage !== 'function') early.push(event);
};
self.addEventListener('message', keepEarly);
await import(target);
self.removeEventListener('message', keepEarly);
for (const event of early) self.onmessage(event);
