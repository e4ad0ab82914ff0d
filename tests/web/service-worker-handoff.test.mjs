// The page's side of the service worker's consent (web/service-worker-handoff.js):
// each change is posted to the active service worker of every registration,
// which wakes for it; the consent a tab starts with is not.
import assert from 'node:assert/strict';
import test from 'node:test';
import { CONSENT_MESSAGE_TYPE, mirrorConsent } from '../../web/service-worker-handoff.js';

const consent = {
  seq: 4,
  writer: 'tab',
  blocked: { PERFORMANCE: true, TARGETING: false },
  purgedBefore: { PERFORMANCE: null, TARGETING: null },
};

/** Runs `work` with `navigator.serviceWorker` as `container` (Node has no IndexedDB: only the message is sent). */
async function withContainer(container, work) {
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { serviceWorker: container }, configurable: true });
  try {
    await work();
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete globalThis.navigator;
  }
}

test('a change of consent is posted to the active service worker of every registration, and nothing else', async () => {
  const posted = [];
  const active = (name) => ({ postMessage: (message) => posted.push({ name, message }) });
  const container = {
    getRegistrations: async () => [{ active: active('ours') }, { active: null }, { active: active('the app’s') }],
  };
  await withContainer(container, async () => {
    await mirrorConsent(consent, { changed: false });
    assert.deepEqual(posted, [], 'the consent a tab starts with wakes no service worker');
    await mirrorConsent(consent, { changed: true });
  });
  const message = { type: CONSENT_MESSAGE_TYPE, consent };
  assert.deepEqual(posted, [
    { name: 'ours', message },
    { name: 'the app’s', message },
  ]);
});

test("the service worker that controls the page is told before the change's task ends, and once", async () => {
  const posted = [];
  const controller = { postMessage: (message) => posted.push({ name: 'controller', message }) };
  const other = { postMessage: (message) => posted.push({ name: 'other', message }) };
  const container = { controller, getRegistrations: async () => [{ active: controller }, { active: other }] };
  await withContainer(container, async () => {
    const telling = mirrorConsent(consent, { changed: true });
    assert.deepEqual(
      posted.map((post) => post.name),
      ['controller'],
      'posted synchronously',
    );
    await telling;
  });
  assert.deepEqual(
    posted.map((post) => post.name),
    ['controller', 'other'],
  );
});

test('where service workers are turned off, a change of consent is kept as before and tells nobody', async () => {
  const container = {
    getRegistrations: async () => {
      throw new DOMException('service workers are disabled', 'SecurityError');
    },
  };
  await withContainer(container, () => mirrorConsent(consent, { changed: true }));
  await withContainer(undefined, () => mirrorConsent(consent, { changed: true }));
});
