// The in-page half of the benchmark: loads one library (?library=wasm for
// this package, ?library=tidal for @tidal-music/event-producer, ?library=none
// for neither: the bare fetch loop), routes its Web Worker through
// worker-probe.js, and offers bench/run.mjs the same measurements for both as
// window.bench.
const library = new URL(location.href).searchParams.get('library');
const moduleUrls = {
  wasm: '/dist/index.js',
  tidal: '/node_modules/@tidal-music/event-producer/dist/index.js',
};

// Both libraries hand events to their worker with worker.postMessage, as the
// last step of the main-thread work an event costs (TIDAL does most of its work
// in promise continuations after sendEvent has returned; this package posts
// the buffered events in a microtask). The end of that postMessage is when the
// main thread is done with the event.
let lastPostEnd = 0;
const NativeWorker = window.Worker;
window.Worker = class ProbedWorker extends NativeWorker {
  constructor(url, options) {
    const probe = new URL('worker-probe.js', import.meta.url);
    probe.searchParams.set('target', new URL(url, location.href).href);
    super(probe, { ...options, type: 'module' });
  }

  postMessage(...args) {
    super.postMessage(...args);
    lastPostEnd = performance.now();
  }
};

const producer = moduleUrls[library] ? await import(moduleUrls[library]) : null;

// --- the worker probe --------------------------------------------------------

const probe = new BroadcastChannel('bench-probe');
const durableCommits = []; // { seq, at } in commit order, seq increasing
const probeWaiters = new Set();
probe.onmessage = ({ data }) => {
  if (data.durable) durableCommits.push(data.durable);
  for (const waiter of probeWaiters) waiter(data);
};

function askProbe(message, answerKey) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      probeWaiters.delete(waiter);
      reject(new Error(`the worker probe did not answer ${JSON.stringify(message)}`));
    }, 10000);
    const waiter = (data) => {
      if (!(answerKey in data)) return;
      clearTimeout(timer);
      probeWaiters.delete(waiter);
      resolve(data[answerKey]);
    };
    probeWaiters.add(waiter);
    probe.postMessage(message);
  });
}

const durableSeq = () => (durableCommits.length ? durableCommits[durableCommits.length - 1].seq : -1);

/**
 * Resolves true once the event `seq` is in a committed IndexedDB transaction,
 * false after timeoutMs, or early when this package reports an empty, durable
 * queue (everything was delivered: the missing events will never be written).
 */
function waitDurable(seq, timeoutMs) {
  if (durableSeq() >= seq) return Promise.resolve(true);
  return new Promise((resolve) => {
    let settledPoll = 0;
    const finish = (result) => {
      clearTimeout(timer);
      clearInterval(settledPoll);
      probeWaiters.delete(waiter);
      resolve(result);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const waiter = () => {
      if (durableSeq() >= seq) finish(true);
    };
    probeWaiters.add(waiter);
    if (producer?.getStats) {
      settledPoll = setInterval(async () => {
        const stats = await producer.getStats();
        if (stats && stats.queued === 0 && stats.durable) finish(durableSeq() >= seq);
      }, 100);
    }
  });
}

// --- the workload ------------------------------------------------------------

const epochNow = () => performance.timeOrigin + performance.now();
const sentAt = new Map(); // seq → epoch ms at the sendEvent call

/** A playback event of typical size (~0.5 KB stored); `benchSeq` lets the probe find it in storage. */
function benchEvent(seq) {
  return {
    name: 'playback_session',
    consentCategory: 'NECESSARY',
    payload: {
      benchSeq: seq,
      playbackSessionId: `6f1c2a4e-93b1-4d7a-8c55-${String(seq).padStart(12, '0')}`,
      actualProductId: '251380837',
      requestedProductId: '251380837',
      productType: 'TRACK',
      actualAssetPresentation: 'FULL',
      actualAudioMode: 'STEREO',
      actualQuality: 'LOSSLESS',
      sourceType: 'ALBUM',
      sourceId: '251380836',
      startTimestamp: 1732330000000 + seq,
      startAssetPosition: 0,
      endTimestamp: 1732330180000 + seq,
      endAssetPosition: 180.5,
      actions: [],
    },
  };
}

/**
 * The soak's event (bench/soak.mjs): ~450 B in this package's queue with the
 * soak's default headers, the size of a typical small app event, so the
 * default 5 MiB holds ~11,700, fewer than the soak's 18,000.
 */
function soakEvent(seq) {
  return {
    name: 'soak',
    consentCategory: 'NECESSARY',
    payload: { benchSeq: seq, productId: '251380837' },
  };
}

const credentials = { clientId: 'bench-client', token: 'bench-token' };

/** POSTs `bodies` to `url`, `parallel` at a time, reading each reply; resolves to the ms it took. Self-contained: it also runs in a worker. */
async function fetchLoop({ bodies, parallel, url, token }) {
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const response = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Bearer ${token}` },
          credentials: 'omit',
        });
        await response.text();
      }
    }),
  );
  return performance.now() - start;
}

const boundaryChannel = new MessageChannel();
/** Resolves in a new task: every microtask queued before has run. */
function nextTask() {
  return new Promise((resolve) => {
    boundaryChannel.port1.onmessage = resolve;
    boundaryChannel.port2.postMessage(0);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function tidalDatabase() {
  return new Promise((resolve, reject) => {
    // localforage's layout for createInstance({ name: 'EventProducerDB' }); no
    // version asked, as localforage may have raised it.
    const request = indexedDB.open('EventProducerDB');
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains('keyvaluepairs')) db.createObjectStore('keyvaluepairs');
      if (!db.objectStoreNames.contains('local-forage-detect-blob-support')) {
        db.createObjectStore('local-forage-detect-blob-support');
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** The event as @tidal-music/event-producer 2.4.1 stores it (headers and payload built as its submitter does). */
function tidalStoredEvent(seq, timestamp) {
  const event = benchEvent(seq);
  const id = crypto.randomUUID();
  const { consentCategory, ...rest } = event;
  return {
    headers: {
      'app-name': 'bench',
      'app-version': '1.0.0',
      'browser-name': 'chromium',
      'browser-version': '1',
      'client-id': credentials.clientId,
      'consent-category': consentCategory,
      'os-name': 'linux',
      'requested-sent-timestamp': timestamp,
      authorization: credentials.token,
    },
    id,
    name: event.name,
    payload: JSON.stringify({ ...rest, ts: timestamp, uuid: id }),
  };
}

/** A SendMessageBatch form body of these stored events, field for field as both libraries build it. */
function sendMessageBatchBody(events) {
  const form = new URLSearchParams();
  events.forEach((event, i) => {
    const entry = `SendMessageBatchRequestEntry.${i + 1}`;
    form.append(`${entry}.Id`, event.id);
    form.append(`${entry}.MessageBody`, event.payload);
    form.append(`${entry}.MessageAttribute.1.Name`, 'Name');
    form.append(`${entry}.MessageAttribute.1.Value.StringValue`, event.name);
    form.append(`${entry}.MessageAttribute.1.Value.DataType`, 'String');
    form.append(`${entry}.MessageAttribute.2.Name`, 'Headers');
    form.append(`${entry}.MessageAttribute.2.Value.DataType`, 'String');
    form.append(`${entry}.MessageAttribute.2.Value.StringValue`, JSON.stringify(event.headers));
  });
  return form.toString();
}

window.bench = {
  library,

  /** Time of `await init(config)`, in ms; the credentials provider is added here. */
  async init(config) {
    const start = performance.now();
    await producer.init({
      ...config,
      credentialsProvider: { bus: () => {}, getCredentials: async () => credentials },
    });
    return performance.now() - start;
  },

  /**
   * Main-thread cost of sendEvent, in µs per event, from `batches` batches of
   * `batchSize` back-to-back calls. performance.now() is quantised to 5 µs
   * even in a cross-origin isolated page, so single calls of a few µs can't be
   * timed; a batch of 10 gives 0.5 µs resolution. `call`: until the calls have
   * returned; `total`: until the events were handed to the worker (all the
   * main-thread work the events cause, including deferred continuations).
   */
  async sendCost({ batches, batchSize, firstSeq, timeLimitMs }) {
    const call = [];
    const total = [];
    const deadline = performance.now() + timeLimitMs;
    let seq = firstSeq;
    for (let b = 0; b < batches && (b === 0 || performance.now() < deadline); b++) {
      const events = [];
      for (let i = 0; i < batchSize; i++) events.push(benchEvent(seq++));
      await nextTask();
      lastPostEnd = 0;
      const start = performance.now();
      for (const event of events) producer.sendEvent(event);
      const returned = performance.now();
      // TIDAL's continuations each await a promise; ours is one microtask.
      await nextTask();
      call.push(((returned - start) * 1000) / batchSize);
      total.push(lastPostEnd ? ((lastPostEnd - start) * 1000) / batchSize : null);
    }
    return { call, total, sent: seq - firstSeq };
  },

  /**
   * Sends `count` events at `rate` events/s in 1 ms timer ticks; remembers
   * each call's time. `kind` 'soak': the soak's smaller event.
   */
  async sendPaced({ count, rate, firstSeq, kind = 'bench' }) {
    const makeEvent = kind === 'soak' ? soakEvent : benchEvent;
    const start = performance.now();
    let sent = 0;
    while (sent < count) {
      const due = Math.min(count, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      while (sent < due) {
        const seq = firstSeq + sent++;
        const event = makeEvent(seq);
        sentAt.set(seq, epochNow());
        producer.sendEvent(event);
      }
      await sleep(1);
    }
    return performance.now() - start;
  },

  /**
   * ms from each paced event's sendEvent call to the commit of the first
   * IndexedDB transaction that holds it; null for events not durable within
   * timeoutMs after the last call.
   */
  async durableLatencies({ firstSeq, count, timeoutMs }) {
    await waitDurable(firstSeq + count - 1, timeoutMs);
    const latencies = [];
    let commit = 0;
    for (let seq = firstSeq; seq < firstSeq + count; seq++) {
      while (commit < durableCommits.length && durableCommits[commit].seq < seq) commit++;
      latencies.push(commit < durableCommits.length ? durableCommits[commit].at - sentAt.get(seq) : null);
    }
    return latencies;
  },

  /** Queues `count` events through sendEvent in bursts of 1000; ms until the last one is durable. */
  async fill({ count, firstSeq, timeoutMs }) {
    const start = performance.now();
    for (let sent = 0; sent < count;) {
      const burst = Math.min(1000, count - sent);
      for (let i = 0; i < burst; i++) producer.sendEvent(benchEvent(firstSeq + sent + i));
      sent += burst;
      await nextTask();
    }
    const durable = await waitDurable(firstSeq + count - 1, timeoutMs);
    return durable ? performance.now() - start : null;
  },

  /** Writes TIDAL's stored queue directly (what its worker reads at init), `count` events long. */
  async storeTidalQueue({ count, firstSeq }) {
    const timestamp = Date.now();
    const events = [];
    for (let i = 0; i < count; i++) events.push(tidalStoredEvent(firstSeq + i, timestamp));
    const db = await tidalDatabase();
    await new Promise((resolve, reject) => {
      const transaction = db.transaction('keyvaluepairs', 'readwrite');
      transaction.objectStore('keyvaluepairs').put(events, 'events');
      transaction.oncomplete = resolve;
      transaction.onerror = () => reject(transaction.error);
    });
    db.close();
    return events.length;
  },

  /**
   * What the consumer and the browser's network stack allow, with no
   * producer: `count` events POSTed in batches of 10, `parallel` requests at
   * a time, each reply read; events/s. `inWorker`: the same loop in a
   * dedicated worker, where the producer's requests start.
   */
  async fetchCeiling({ count, parallel, url, inWorker = false }) {
    const bodies = [];
    for (let seq = 0; seq < count; seq += 10) {
      const events = [];
      for (let i = seq; i < Math.min(count, seq + 10); i++) events.push(tidalStoredEvent(i, Date.now()));
      bodies.push(sendMessageBatchBody(events));
    }
    const args = { bodies, parallel, url, token: credentials.token };
    if (!inWorker) return count / ((await fetchLoop(args)) / 1000);
    const source = `const fetchLoop = ${fetchLoop}; onmessage = async ({ data }) => postMessage(await fetchLoop(data));`;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
    const ms = await new Promise((resolve) => {
      worker.onmessage = ({ data }) => resolve(data);
      worker.postMessage(args);
    });
    worker.terminate();
    return count / (ms / 1000);
  },

  /** Starts (true) or stops the probe's watching for events in what the worker writes. */
  watchDurable(on) {
    return askProbe({ watchSeq: on }, 'watchingSeq');
  },

  /** Starts (true) or stops counting the bytes of the worker's IndexedDB put() values. */
  countStoredBytes(on) {
    return askProbe({ countBytes: on }, 'counting');
  },

  /** { putCount, putBytes, durableSeq, wasmMemoryBytes } from the worker probe. */
  probeReport() {
    return askProbe({ report: true }, 'report');
  },

  /** Page and worker memory: see bench/run.mjs for what each figure is. */
  async memory() {
    const result = { pageJsHeapUsed: performance.memory?.usedJSHeapSize ?? null, crossOriginIsolated };
    if (crossOriginIsolated && performance.measureUserAgentSpecificMemory) {
      const measured = await performance.measureUserAgentSpecificMemory();
      result.byScope = {};
      for (const entry of measured.breakdown) {
        const scope = entry.attribution[0]?.scope ?? 'shared';
        result.byScope[scope] = (result.byScope[scope] ?? 0) + entry.bytes;
      }
    }
    result.wasmMemoryBytes = (await this.probeReport()).wasmMemoryBytes;
    return result;
  },

  /** This package's getStats(); null for TIDAL's, which has none. */
  async stats() {
    return producer.getStats ? producer.getStats() : null;
  },

  /** This package: everything queued is durable (and a send was tried). */
  async flush() {
    await producer.flush?.();
  },
};
window.benchReady = true;
