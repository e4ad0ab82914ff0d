// The page's side of the service worker's consent (web/service-worker-handoff.js):
// each change is posted to the active service worker of every registration,
// which wakes for it, within the task that made it where the registration
// was seen before; the consent a tab starts with is posted to none.
import assert from 'node:assert/strict';
import test from 'node:test';
import { CONSENT_MESSAGE_TYPE, createPageHandoff } from '../../web/service-worker-handoff.js';

const consent = {
  seq: 4,
  writer: 'tab',
  blocked: { PERFORMANCE: true, TARGETING: false },
  purgedBefore: { PERFORMANCE: null, TARGETING: null },
};
const message = { type: CONSENT_MESSAGE_TYPE, consent };

/** Runs `work` with `navigator.serviceWorker` as `container` (Node has no IndexedDB: only the messages are sent). */
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

/** A service worker that records what it was posted as `name`. */
const serviceWorker = (name, posted) => ({ postMessage: (sent) => posted.push({ name, sent }) });

test('a change of consent is posted to the active service worker of every registration, once each, and nothing else', async () => {
  const posted = [];
  const ours = serviceWorker('ours', posted);
  const container = {
    getRegistrations: async () => [{ active: ours }, { active: null }, { active: serviceWorker('the app’s', posted) }],
  };
  await withContainer(container, async () => {
    const handoff = createPageHandoff();
    await handoff.mirrorConsent(consent, { changed: false });
    assert.deepEqual(posted, [], 'the consent a tab starts with wakes no service worker');
    await handoff.mirrorConsent(consent, { changed: true });
  });
  assert.deepEqual(posted, [
    { name: 'ours', sent: message },
    { name: 'the app’s', sent: message },
  ]);
});

test('the service workers seen at init and the one that controls the page are told before the change yields; a registration made since, a round trip later', async () => {
  const posted = [];
  const controller = serviceWorker('controller', posted);
  const seenAtInit = serviceWorker('seen at init', posted);
  let registrations = [{ active: controller }, { active: seenAtInit }];
  const container = { controller, getRegistrations: async () => registrations };
  await withContainer(container, async () => {
    const handoff = createPageHandoff();
    await handoff.rememberConfig({ core: {}, tlPublicConsumerUri: 'https://c/public' });
    registrations = [...registrations, { active: serviceWorker('registered since', posted) }];
    const telling = handoff.mirrorConsent(consent, { changed: true });
    assert.deepEqual(
      posted.map((post) => post.name),
      ['controller', 'seen at init'],
      'posted synchronously',
    );
    await telling;
  });
  assert.deepEqual(
    posted.map((post) => post.name),
    ['controller', 'seen at init', 'registered since'],
  );
});

test('once the page’s own registration is active, a change of consent is posted to it before the change yields', async () => {
  const posted = [];
  let registrations = [];
  let activate;
  const container = {
    ready: new Promise((resolve) => (activate = resolve)),
    getRegistrations: async () => registrations,
  };
  await withContainer(container, async () => {
    const handoff = createPageHandoff();
    await handoff.rememberConfig({ core: {}, tlPublicConsumerUri: 'https://c/public' });
    // The app registers its service worker after init(); it becomes active.
    const registration = { active: serviceWorker('registered after init', posted) };
    registrations = [registration];
    activate(registration);
    await new Promise((resolve) => setImmediate(resolve));
    const telling = handoff.mirrorConsent(consent, { changed: true });
    assert.deepEqual(
      posted.map((post) => post.name),
      ['registered after init'],
      'posted synchronously',
    );
    await telling;
  });
  assert.equal(posted.length, 1, 'told once');
});

test('where service workers are turned off, a change of consent is kept as before and tells nobody', async () => {
  const container = {
    getRegistrations: async () => {
      throw new DOMException('service workers are disabled', 'SecurityError');
    },
  };
  await withContainer(container, () => createPageHandoff().mirrorConsent(consent, { changed: true }));
  await withContainer(undefined, () => createPageHandoff().mirrorConsent(consent, { changed: true }));
});
