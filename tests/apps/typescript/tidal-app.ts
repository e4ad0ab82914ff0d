// An app's code written against the types of @tidal-music/event-producer
// 2.4.1, using every type it exports and every function. The test
// type-checks it as written, then with the import changed to
// tidal-event-producer-wasm: it must compile both ways.
import type { CredentialsProvider } from '@tidal-music/common';
import { bus, getConfig, init, sendEvent, setConsentCategory, setCredentialsProvider } from '@tidal-music/event-producer';
import type {
  AppInfo,
  BlockedConsentCategories,
  Config,
  ConsentCategory,
  defaultBlockedConsentCategories,
  EPEvent,
  EventHeaders,
  PlatformData,
  SentEvent,
} from '@tidal-music/event-producer';

// From @tidal-music/auth in a real app.
declare const credentialsProvider: CredentialsProvider;

const appInfo: AppInfo = { appName: 'YourApp', appVersion: '1.2.3' };
const platform: PlatformData = { browserName: 'Ice Hippo', browserVersion: '1.2.3', osName: 'Hov OS' };
const blockedConsentCategories: BlockedConsentCategories = { NECESSARY: false, PERFORMANCE: false, TARGETING: true };
const consentDefaults: typeof defaultBlockedConsentCategories = { ...blockedConsentCategories, TARGETING: false };

const config: Config = {
  appInfo,
  blockedConsentCategories,
  credentialsProvider,
  eventBatchInterval: 30_000,
  feralEventTypes: ['retired_event'],
  monitoringInterval: 60_000,
  platform,
  strictMode: false,
  tlConsumerUri: '/api/event-batch',
  tlPublicConsumerUri: '/api/public/event-batch',
};

function trackEvent(name: string, consentCategory: ConsentCategory, payload: Record<string, unknown>, headers?: EventHeaders): void {
  const event: SentEvent = { consentCategory, headers, name, payload };
  sendEvent(event);
}

/** A line for the app's debug log about a queued event. */
export function describeQueued(event: EPEvent): string {
  return `${event.id} ${event.name}: ${event.payload.length} characters, ${Object.keys(event.headers ?? {}).length} headers`;
}

export async function main(): Promise<void> {
  await init(config);
  bus.bus((event) => console.log('event producer outage state changed', event.detail));

  trackEvent('listened_to_track', 'PERFORMANCE', { certifiedBanger: true }, { 'x-attempt': 1, 'x-source': 'home' });

  setConsentCategory({ PERFORMANCE: consentDefaults.PERFORMANCE, TARGETING: false });
  setCredentialsProvider(credentialsProvider);

  const current = getConfig();
  const endpoint: string = current.tlPublicConsumerUri;
  console.log(`${endpoint}: targeting ${current.blockedConsentCategories.TARGETING ? 'blocked' : 'allowed'}`);
}
