// The package's service worker (dist/service-worker.js) as the browser tests
// drive it: registered from a page of the test site, and, in Chromium, woken
// with the producer's Background Sync through the DevTools protocol, as the
// browser wakes it when the network is back.

export const DELIVERY_SYNC_TAG = 'tep-deliver-stored';

/**
 * Registers the service worker from `page` (any engine's) and waits until it
 * is active; resolves to its state and whether the registration has
 * Background Sync.
 */
export function registerServiceWorker(page) {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.register('/dist/service-worker.js', {
      type: 'module',
      scope: '/dist/',
    });
    const worker = registration.installing ?? registration.waiting ?? registration.active;
    if (worker.state !== 'activated') {
      await new Promise((resolve, reject) =>
        worker.addEventListener('statechange', () => {
          if (worker.state === 'activated') resolve();
          if (worker.state === 'redundant') reject(new Error('the service worker failed to install'));
        }),
      );
    }
    return { state: worker.state, backgroundSync: 'sync' in registration };
  });
}

/**
 * Fires the producer's sync at the site's service worker from a page of no
 * origin, so that no tab of the site need be open. `browser` is
 * harness.mjs's openBrowser() (Chromium).
 */
export async function fireSync(browser) {
  const blank = await browser.context.newPage();
  try {
    const session = await browser.context.newCDPSession(blank);
    const registrations = new Map();
    session.on('ServiceWorker.workerRegistrationUpdated', ({ registrations: updated }) => {
      for (const r of updated) if (!r.isDeleted) registrations.set(r.scopeURL, r.registrationId);
    });
    await session.send('ServiceWorker.enable');
    const scope = `${browser.url}dist/`;
    for (let tries = 0; !registrations.has(scope); tries++) {
      if (tries === 100) throw new Error(`no service worker registration for ${scope}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await session.send('ServiceWorker.dispatchSyncEvent', {
      origin: new URL(browser.url).origin,
      registrationId: registrations.get(scope),
      tag: DELIVERY_SYNC_TAG,
      lastChance: false,
    });
  } finally {
    await blank.close();
  }
}

/**
 * Stops every running service worker of the browser, as the browser does
 * with an idle one: what it held in memory is gone, and the next event
 * starts it afresh. `browser` is harness.mjs's openBrowser() (Chromium).
 */
export async function stopServiceWorkers(browser) {
  const blank = await browser.context.newPage();
  try {
    const session = await browser.context.newCDPSession(blank);
    await session.send('ServiceWorker.enable');
    await session.send('ServiceWorker.stopAllWorkers');
  } finally {
    await blank.close();
  }
}
