// What every app does with the package, as an app would: init against the
// consumer on its own origin, send a few events, flush, and report the
// outcome on window.appResult (or window.appError) for the test to read.
import { init, sendEvent, bus, flush } from 'tidal-event-producer-wasm';

// Fewer than the ten events one request carries, so one flush delivers them all.
const EVENT_COUNT = 5;

/**
 * Runs the app named `appName` (its app-name header); `producerFiles` is
 * where the app hosts the worker and core.wasm, if not beside the module.
 */
export function runApp({ appName, producerFiles = {} }) {
  const status = document.getElementById('status');
  const busMessages = [];
  bus((event) => busMessages.push(event.detail.name));

  async function run() {
    await init({
      appInfo: { appName, appVersion: '1.0.0' },
      // The platform as TIDAL's README writes it, model and version included.
      platform: {
        browserName: 'chromium',
        browserVersion: '1',
        deviceVendor: 'Binocular',
        model: 'shyPhone',
        osName: 'linux',
        version: '6.1',
      },
      blockedConsentCategories: { NECESSARY: false, PERFORMANCE: false, TARGETING: false },
      credentialsProvider: {
        bus: () => {},
        getCredentials: async () => ({ clientId: `${appName}-client`, token: `${appName}-token` }),
      },
      tlConsumerUri: new URL('/api/event-batch', location.href).href,
      tlPublicConsumerUri: new URL('/api/public/event-batch', location.href).href,
      eventBatchInterval: 200,
      ...producerFiles,
    });
    for (let i = 0; i < EVENT_COUNT; i++) {
      sendEvent({
        name: 'packaged_app_event',
        consentCategory: 'NECESSARY',
        payload: { i, app: appName, note: 'installed from the tarball 🎵' },
      });
    }
    await flush();
    return { sent: EVENT_COUNT, busMessages };
  }

  run().then(
    (result) => {
      window.appResult = result;
      status.textContent = `sent ${result.sent}`;
    },
    (error) => {
      window.appError = `${error?.name}: ${error?.message}`;
      status.textContent = window.appError;
    },
  );
}
