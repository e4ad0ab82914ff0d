// The page's lifecycle with a fake page and fake timers: hidden, it sends the
// leaving batch, hands everything over without waiting for the provider and
// asks the worker to make its queue durable, once per hidden period; its
// worker hears when the page goes on- or offline.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPageLifecycle } from '../../web/page-lifecycle.js';

function fakeTarget() {
  const listeners = new Map();
  return {
    visibilityState: 'visible',
    addEventListener(type, listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener]);
    },
    fire(type) {
      for (const listener of listeners.get(type) ?? []) listener();
    },
    count: (type) => (listeners.get(type) ?? []).length,
  };
}

function fakeSession({ leavingVersion } = {}) {
  const calls = [];
  return {
    calls,
    request(action, fields) {
      calls.push(['request', action, fields]);
      return Promise.resolve(action === 'pageHidden' ? { queued: 2, heldByConsent: 0 } : undefined);
    },
    tell: (message) => calls.push(['tell', message.action, message]),
    release: () => calls.push(['release']),
    leaving: {
      send(answer) {
        calls.push(['leaving']);
        if (leavingVersion !== undefined)
          setTimeout(() => answer({ version: leavingVersion, kind: 0, status: 200 }), 100);
        return leavingVersion;
      },
    },
  };
}

function setUp(t, { session = fakeSession(), online = true } = {}) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const document = fakeTarget();
  const window = fakeTarget();
  const navigator = { onLine: online };
  const left = [];
  let handedOver = 0;
  const lifecycle = createPageLifecycle({
    readySession: () => session,
    handOverBuffered: () => {
      handedOver++;
      session?.calls.push(['handOver', lifecycle.isLeaving()]);
    },
    onLeft: (stats) => left.push(stats),
    document,
    window,
    navigator,
  });
  lifecycle.listen();
  const hide = () => {
    document.visibilityState = 'hidden';
    document.fire('visibilitychange');
  };
  const show = () => {
    document.visibilityState = 'visible';
    document.fire('visibilitychange');
  };
  return { lifecycle, session, document, window, navigator, left, hide, show, handedOver: () => handedOver };
}

const flushPromises = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

test('hidden: the leaving batch goes, then everything buffered, urgently, then the worker makes it durable', async (t) => {
  const { session, hide, left } = setUp(t, { session: fakeSession({ leavingVersion: 5 }) });
  hide();
  assert.deepEqual(
    session.calls.map((c) => c.slice(0, 2)),
    [['leaving'], ['release'], ['handOver', true], ['request', 'pageHidden']],
  );
  assert.deepEqual(session.calls[3][2], { leaving: 5 });
  await flushPromises();
  assert.deepEqual(left, [{ queued: 2, heldByConsent: 0 }]);
  t.mock.timers.tick(100);
  assert.deepEqual(session.calls.at(-1).slice(0, 2), ['tell', 'leavingAnswer']);
  assert.equal(session.calls.at(-1)[2].version, 5);
});

test('without a leaving batch the worker sends its own keepalive batch', (t) => {
  const { session, hide } = setUp(t);
  hide();
  assert.deepEqual(session.calls.at(-1), ['request', 'pageHidden', {}]);
});

test('visibilitychange and pagehide of one leaving make one hand-off; shown again, the next hiding makes another', (t) => {
  const { session, hide, show, window, lifecycle } = setUp(t);
  hide();
  window.fire('pagehide');
  assert.equal(session.calls.filter((c) => c[1] === 'pageHidden').length, 1);
  assert.equal(lifecycle.isLeaving(), true);
  show();
  assert.equal(lifecycle.isLeaving(), false);
  window.fire('pagehide');
  assert.equal(session.calls.filter((c) => c[1] === 'pageHidden').length, 2);
});

test('without a ready worker hiding hands nothing off', (t) => {
  const { hide, handedOver, lifecycle } = setUp(t, { session: null });
  hide();
  assert.equal(handedOver(), 0);
  assert.equal(lifecycle.isLeaving(), false);
});

test('the worker hears when the page goes on- or offline, and a new worker hears if it is offline now', (t) => {
  const { session, window, navigator, lifecycle } = setUp(t, { online: false });
  lifecycle.started();
  window.fire('online');
  navigator.onLine = true;
  window.fire('online');
  lifecycle.started();
  assert.deepEqual(
    session.calls.map((c) => c[2].online),
    [false, false, true],
  );
});

test('listening twice adds the listeners once', (t) => {
  const { lifecycle, window, document } = setUp(t);
  lifecycle.listen();
  assert.equal(window.count('pagehide'), 1);
  assert.equal(document.count('visibilitychange'), 1);
});
