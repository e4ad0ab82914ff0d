// Types of the public API. Every type @tidal-music/event-producer 2.4.1
// exports is exported here under the same name and with the same shape, so a
// TypeScript app that changes its import keeps compiling
// (tests/types/tidal-types.test.mjs checks it against TIDAL's own types).

export type ConsentCategory = 'NECESSARY' | 'PERFORMANCE' | 'TARGETING';

export type BlockedConsentCategories = Record<ConsentCategory, boolean>;

/**
 * TIDAL's package exports its default consent as a type only: code can name
 * `typeof defaultBlockedConsentCategories` but not import the value. The same
 * holds here. (This package's default blocks nothing.)
 */
declare const defaultBlockedConsentCategories: BlockedConsentCategories;
export type { defaultBlockedConsentCategories };

export type AppInfo = {
  appName: string;
  appVersion: string;
};

/**
 * Sent as the default headers browser-name, browser-version, os-name,
 * os-version, device-vendor and device-model. TIDAL's README names the last
 * two `version` and `model`: both names are read, the full ones first.
 */
export type PlatformData = {
  browserName: string;
  browserVersion: string;
  osName: string;
  osVersion?: string;
  /** The OS version, as TIDAL's README names it; `osVersion` wins when both are given. */
  version?: string;
  deviceVendor?: string;
  deviceModel?: string;
  /** The device model, as TIDAL's README names it; `deviceModel` wins when both are given. */
  model?: string;
};

export type EventHeaders = Record<string, number | string>;

/** An event as the app passes it to sendEvent. */
export type SentEvent = {
  consentCategory: ConsentCategory;
  headers?: EventHeaders;
  name: string;
  payload: Record<string, unknown>;
};

/** An event as it is queued and sent: its headers complete, its payload serialised. */
export type EPEvent = Omit<SentEvent, 'consentCategory' | 'payload'> & {
  id: string;
  payload: string;
};

export interface Credentials {
  clientId?: string;
  token?: string;
  [other: string]: unknown;
}

export interface CredentialsProvider {
  bus?: (callback: (event: CustomEvent) => void) => void;
  /** Called when events are handed to the worker and before each batch; after a 401 with the collector's sub-status. */
  getCredentials(apiErrorSubStatus?: string): Promise<Credentials>;
}

/**
 * What init takes: every config TIDAL's package takes, and more. Fields that
 * have a default may be left out (TIDAL's types require them), and the
 * platform and app may be described in part: what is missing is not sent.
 * Each field's default and range are in the README's Config table
 * (README.md#config); init throws an IllegalArgumentError for a value out of range.
 */
export type Config = {
  appInfo: Partial<AppInfo>;
  platform: Partial<PlatformData>;
  /**
   * This tab's statement of the site's consent (README, Consent): true blocks,
   * false allows, null or missing states nothing (the site's stored consent
   * holds; none blocked where there is none). NECESSARY can't be blocked.
   */
  blockedConsentCategories?: Partial<Record<ConsentCategory, boolean | null>>;
  credentialsProvider?: CredentialsProvider;
  /** Collector endpoint for logged-in users. */
  tlConsumerUri: string;
  /** Collector endpoint without Authorization. */
  tlPublicConsumerUri?: string;
  strictMode?: boolean;
  /** Oldest unsent event waits at most this long (ms). */
  eventBatchInterval?: number;
  /** Monitoring counters are reported this often (ms). */
  monitoringInterval?: number;
  /** Event names purged from the stored queue at start. */
  feralEventTypes?: Array<string>;
  /** Cap of the stored queue in bytes; new events beyond it are dropped and counted. */
  maxDiskUsageBytes?: number;
  /** Requests in flight at once. */
  maxInFlightBatches?: number;
  /** Longest wait between retries while the collector fails (ms). Retries never come sooner than 1 s after a failure. */
  maxBackoffMs?: number;
  /** Events older than this (ms) are dropped from the queue and counted; 0 = never. */
  eventTtlMs?: number;
  /** Where the worker script is hosted, if not beside this module. */
  workerUrl?: string | URL;
  /** Where core.wasm is hosted, if not beside the worker. */
  wasmUrl?: string | URL;
  /**
   * The app registered the package's service worker (README, Service worker):
   * the page leaves it the config (never a token) and the site's consent, and
   * asks it for a Background Sync when events stay stored.
   */
  serviceWorker?: boolean;
};

/**
 * The config as init copied it (getConfig): the app's fields as given, the
 * endpoints as full URLs, and the consent and feral lists present even where
 * the app left them out.
 */
export type ConfigCopy = Config & {
  blockedConsentCategories: Partial<BlockedConsentCategories>;
  tlPublicConsumerUri: string;
  feralEventTypes: Array<string>;
};

export declare class TidalError extends Error {
  errorCode: string;
  /** The stable id of an error this package raised ('tep.worker.no_reply', …; docs/errors.md lists them); the message starts with it in brackets. */
  id?: string;
}
/** A config init() can't use: id 'tep.config.<field>', or 'tep.argument' for the config as a whole. */
export declare class IllegalArgumentError extends TidalError {
  id: string;
  field: string;
}
/**
 * errorCode '1': events can't be delivered; 'storage': they can't be stored (IndexedDB fails, or the queue is full);
 * 'worker': the worker ended and a new one is starting. Sent again when the reason changes.
 */
export declare class OutageStartError extends TidalError {
  /** Why: 'delivery' (errorCode '1'), 'queue_full' or 'storage' (errorCode 'storage'), 'worker'. */
  reason: 'delivery' | 'queue_full' | 'storage' | 'worker';
}
/** errorCode: 'storage' (working in memory), 'shutdown', 'timeout', 'worker', 'no_worker'; id 'tep.init.<errorCode>'. */
export declare class InitError extends TidalError {
  id: string;
}
export declare const OutageEndMessage: { readonly name: 'OutageEndMessage' };
/** The credentials provider answered what can't be credentials (a clientId or token that is an object, say): the answer is not used. errorCode 'credentials', id 'tep.credentials.invalid'. */
export declare class CredentialsError extends TidalError {
  id: 'tep.credentials.invalid';
}

export type BusMessage = OutageStartError | typeof OutageEndMessage | CredentialsError;
export type BusListener = (event: CustomEvent<BusMessage>) => void;

export interface Stats {
  queued: number;
  queuedBytes: number;
  /** Queued events of a category the site's consent blocks now: kept, not sent (README, Consent). */
  heldByConsent: number;
  inFlightBatches: number;
  inFlightEvents: number;
  delivered: number;
  accepted: number;
  outage: boolean;
  online: boolean;
  persistent: boolean;
  durable: boolean;
  retryAt: number;
  consecutiveFailures: number;
  clockOffsetMs: number;
  counters: {
    consentFilteredEvents: Record<string, number>;
    storingFailedEvents: Record<string, number>;
    validationFailedEvents: Record<string, number>;
  };
  lastError: string | null;
  /** Why the credentials provider's last answer was not used ('[tep.credentials.invalid] …'), until it answers usable credentials. */
  credentialsError: string | null;
  /** The last failed IndexedDB write, until a write succeeds. */
  storageError: string | null;
  /** 'locks' (Web Locks) or 'heartbeat' (the fallback without them). */
  coordination: 'locks' | 'heartbeat';
  /** This tab's store (IndexedDB database `/tep-store-<id>`). */
  storeId: string;
  /** Events taken over from stores of closed tabs. */
  adoptedEvents: number;
  /** Files of adopted stores this release could not read, copied into a database of their own (`/tep-quarantine-<id>`) rather than deleted. */
  keptAsideFiles: number;
  /** Events whose copy the page let go before the worker had stored them (more than 10,000 waited, during a storage outage): a worker that ended then lost them. */
  releasedCopies: number;
  /** Messages ignored for their shape: posted to the worker outside the protocol, or on the tabs' channel by no producer. */
  rejectedMessages: number;
  /**
   * When each step of init ended, in ms since the page created the worker (when the module
   * was loaded, unless the config names its own workerUrl or wasmUrl): the worker's thread
   * started, its script was evaluated, the page's prepare and init messages arrived, the wasm
   * was compiled, the store was claimed, its database opened and its files read from IndexedDB,
   * the worker replied (init answers once the database is open and the wasm compiled), the core
   * was created and restored the queue, and the page's init was called and answered.
   */
  initTimings: {
    workerStarted: number;
    scriptEvaluated: number;
    prepareReceived: number;
    wasmReady: number;
    storeClaimed: number;
    storeOpened: number;
    initReceived: number;
    coreCreated: number;
    storeRead: number;
    restored: number;
    replied: number;
    initCalled: number;
    initAnswered: number;
  } | null;
}

export declare function init(config: Config): Promise<void>;
export declare function sendEvent(event: SentEvent): void;
export declare const bus: ((listener: BusListener) => () => void) & {
  bus: (listener: BusListener) => () => void;
};
/** Changes the site's consent in every tab; throws IllegalArgumentError for a value not boolean, null or undefined. */
export declare function setConsentCategory(
  categories: Partial<Record<ConsentCategory, boolean | null>>,
  options?: { purge?: boolean },
): void;
export declare function setCredentialsProvider(provider: CredentialsProvider): void;
export declare function getConfig(): ConfigCopy;
export declare function flush(): Promise<void>;
export declare function isOutage(): boolean;
export declare function getStats(): Promise<Stats | null>;
export declare function shutdown(): Promise<void>;
