// The session the page's calls go to, with fake timers and fake workers:
// init starts a worker and hands it what was held; a worker that ends is
// replaced on the same store, after the restart delay, with the events it
// had not stored; shutdown during init rejects it; a store that can't be
// opened leaves a producer working in memory.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createActiveSession } from '../../web/active-session.js';
import { createHeldEvents } from '../../web/held-events.js';
import { createCredentials } from '../../web/credentials.js';
import { createOutage } from '../../web/outage.js';
import { createWorkerWatch } from '../../web/worker-watch.js';
import { OutageEndMessage } from '../../web/errors.js';
import { copyConfig } from '../../web/config.js';
import { DEADLINES } from '../../web/deadlines.js';

/** A worker that answers like the package's: init, then stores every hand-over of events at once. */
class FakeWorker {
  static created = [];
  static persistent = true;
  static answersInit = true;
  constructor(url) {
    this.url = url;
    this.listeners = new Map();
    this.posted = [];
    this.terminated = false;
    FakeWorker.created.push(this);
  }
  addEventListener(type, listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  postMessage(message) {
    this.posted.push(message);
    queueMicrotask(() => this.answer(message));
  }
  answer({ id, action, seq }) {
    if (this.terminated) return;
    if (action === 'init') {
      if (!FakeWorker.answersInit) return;
      const persistent = FakeWorker.persistent;
      this.notice({
        type: 'reply',
        id,
        result: { storeId: 's1', persistent, coordination: 'locks', aliveLockHeld: true },
      });
    } else if (action === 'events') {
      if (!this.holdEvents) this.notice({ type: 'accepted', seq });
    } else if (action === 'stats') {
      this.notice({ type: 'reply', id, result: { queued: 0, initTimings: null } });
    } else if (id !== undefined) {
      this.notice({ type: 'reply', id, result: undefined });
    }
  }
  notice(data) {
    for (const listener of this.listeners.get('message') ?? []) listener({ data });
  }
  terminate() {
    this.terminated = true;
  }
  /** The events handed to this worker, by name. */
  events() {
    return this.posted.filter((m) => m.action === 'events').flatMap((m) => m.events.map((e) => JSON.parse(e).name));
  }
}

let savedWorker;
beforeEach(() => {
  savedWorker = globalThis.Worker;
  globalThis.Worker = FakeWorker;
  FakeWorker.created = [];
  FakeWorker.persistent = true;
  FakeWorker.answersInit = true;
});
afterEach(() => {
  globalThis.Worker = savedWorker;
});

const flushPromises = async () => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};
const event = (name) => JSON.stringify({ name, consentCategory: 'NECESSARY' });

function setUp(t) {
  t.mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  const bus = [];
  const alive = []; // the alive locks' callbacks: calling one ends that worker
  const consent = {
    seq: 1,
    writer: 'w',
    blocked: { PERFORMANCE: false, TARGETING: false },
    purgedBefore: { PERFORMANCE: null, TARGETING: null },
  };
  const config = copyConfig({ tlConsumerUri: 'https://c.example/', workerUrl: 'w.js' });
  const held = createHeldEvents();
  const outage = createOutage({ emit: (detail) => bus.push(detail) });
  const locks = { request: (name, options, callback) => (alive.push(callback), new Promise(() => {})) };
  const active = createActiveSession({
    config: () => config,
    consent: () => consent,
    held,
    credentials: createCredentials({ provider: () => undefined, onRefused: () => {} }),
    outage,
    early: { take: () => null },
    watch: createWorkerWatch({ locks, isHidden: () => false, now: () => Date.now() }),
    lifecycle: { isLeaving: () => false, listen() {}, started() {} },
  });
  /** The app sends `name` as sendEvent does. */
  const send = (name) => {
    held.add(event(name), { ready: !!active.ready() });
    active.schedulePost();
  };
  return { active, held, bus, alive, send, outage };
}

test('init starts a worker, which gets the events sent before it answered, in order', async (t) => {
  const { active, send } = setUp(t);
  const started = active.init();
  send('a');
  send('b');
  await flushPromises();
  await started;
  send('c');
  await flushPromises();
  const [worker] = FakeWorker.created;
  assert.equal(worker.url, 'w.js');
  assert.deepEqual(
    worker.posted.slice(0, 2).map((m) => m.action),
    ['prepare', 'init'],
  );
  assert.deepEqual(worker.events(), ['a', 'b', 'c']);
  assert.ok(active.ready());
  assert.deepEqual(await active.stats(), { queued: 0, initTimings: null, credentialsError: null, releasedCopies: 0 });
});

test('a worker that ends is replaced on the same store, and gets what the ended one had not stored', async (t) => {
  const { active, send, alive, bus, outage } = setUp(t);
  await Promise.all([active.init(), flushPromises()]);
  const [first] = FakeWorker.created;
  first.holdEvents = true; // it never confirms what follows
  send('kept');
  await flushPromises();
  alive[0](); // its alive lock is released: it ended
  assert.equal(first.terminated, true);
  assert.equal(outage.reason(), 'worker');
  assert.equal(active.ready(), null);
  send('meanwhile');
  t.mock.timers.tick(0); // the first replacement starts at once
  await flushPromises();
  const second = FakeWorker.created[1];
  assert.deepEqual(second.events(), ['kept', 'meanwhile']);
  second.notice({ type: 'bus', outage: false });
  assert.equal(bus.at(-1), OutageEndMessage);
});

test('a flush across a worker that ends is carried out by its replacement', async (t) => {
  const { active, alive } = setUp(t);
  await Promise.all([active.init(), flushPromises()]);
  const [first] = FakeWorker.created;
  first.answer = () => {}; // silent from now on
  const flushed = active.flush();
  await flushPromises();
  alive[0]();
  t.mock.timers.tick(0);
  await flushPromises();
  await flushed;
  assert.ok(FakeWorker.created[1].posted.some((m) => m.action === 'flush'));
});

test('shutdown before init finished rejects init with InitError shutdown; the events sent stay for the next init', async (t) => {
  const { active, send, held } = setUp(t);
  const started = active.init();
  send('a');
  const stopped = active.shutdown();
  await assert.rejects(started, { name: 'InitError', errorCode: 'shutdown' });
  await stopped;
  assert.equal(FakeWorker.created[0].terminated, true);
  assert.equal(active.started(), null);
  assert.deepEqual(held.takeBuffer().events, [event('a')]);
});

test('a worker that never answers init rejects it with InitError timeout once its time is up', async (t) => {
  FakeWorker.answersInit = false;
  const { active } = setUp(t);
  const started = active.init();
  const outcome = started.then(
    () => 'resolved',
    (error) => error,
  );
  await flushPromises();
  t.mock.timers.tick(DEADLINES.credentialsAtInitMs + DEADLINES.initMs);
  await flushPromises();
  const error = await outcome;
  assert.equal(error.id, 'tep.init.timeout');
  assert.equal(error.message, `[tep.init.timeout] the worker did not start within ${DEADLINES.initMs} ms`);
});

test('a store that cannot be opened rejects init with InitError storage, and the producer works in memory', async (t) => {
  FakeWorker.persistent = false;
  const { active, send, outage } = setUp(t);
  const started = active.init();
  await flushPromises();
  await assert.rejects(started, { name: 'InitError', errorCode: 'storage' });
  assert.equal(outage.reason(), 'storage');
  send('in memory');
  await flushPromises();
  assert.deepEqual(FakeWorker.created[0].events(), ['in memory']);
});

test('shutdown hands the worker what was sent, waits for it to be durable, and stops it', async (t) => {
  const { active, send } = setUp(t);
  await Promise.all([active.init(), flushPromises()]);
  send('last');
  await active.shutdown();
  const [worker] = FakeWorker.created;
  assert.deepEqual(
    worker.posted.slice(-2).map((m) => m.action),
    ['events', 'shutdown'],
  );
  assert.equal(worker.terminated, true);
  assert.equal(active.ready(), null);
});
