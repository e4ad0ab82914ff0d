// The app: initialises the producer against the consumer named in the query
// string, sends a few events, flushes, and reports on window.appResult (or
// window.appError) for the test to read.
import { init, sendEvent, bus, flush } from 'tidal-event-producer-wasm';

const query = new URL(location.href).searchParams;
const consumer = query.get('consumer');
const eventCount = Number(query.get('events') ?? 3);
const status = document.getElementById('status');

const busMessages = [];
bus((event) => busMessages.push(event.detail.name));

async function run() {
  await init({
    appInfo: { appName: 'bundled-app', appVersion: '1.0.0' },
    platform: { browserName: 'chromium', browserVersion: '1', osName: 'linux' },
    blockedConsentCategories: { NECESSARY: false, PERFORMANCE: false, TARGETING: false },
    credentialsProvider: {
      bus: () => {},
      getCredentials: async () => ({ clientId: 'bundled-client', token: 'bundled-token' }),
    },
    tlConsumerUri: new URL('api/event-batch', consumer).href,
    tlPublicConsumerUri: new URL('api/public/event-batch', consumer).href,
    eventBatchInterval: 200,
  });
  for (let i = 0; i < eventCount; i++) {
    sendEvent({ name: 'bundled_app_event', consentCategory: 'NECESSARY', payload: { i, note: 'built by vite 🎵' } });
  }
  await flush();
  return { sent: eventCount, busMessages };
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
