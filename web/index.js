// The page side of the producer: the public API, a thin client of the
// worker. Everything that costs time (validation, queueing, storage,
// sending) happens in the worker; sendEvent only serialises the event and
// buffers it. Each part of the page's state has one owner, composed here:
// the session its calls go to (web/active-session.js), the events held while
// no worker is ready (web/held-events.js), the site's consent
// (web/site-consent.js), the credentials provider (web/credentials.js), the
// outage (web/outage.js) and the page's lifecycle (web/page-lifecycle.js).
import { createBus } from './bus.js';
import { copyConfig, coreConfig } from './config.js';
import { createCredentials } from './credentials.js';
import { createSiteConsent } from './site-consent.js';
import { createHeldEvents } from './held-events.js';
import { createConsentChanges } from './consent-changes.js';
import { createOutage } from './outage.js';
import { createWorkerWatch } from './worker-watch.js';
import { startEarlyWorker } from './early-worker.js';
import { createPageLifecycle } from './page-lifecycle.js';
import { createActiveSession } from './active-session.js';
import { serialiseEvent } from './event-json.js';
import {
  CredentialsError,
  IllegalArgumentError,
  InitError,
  OutageEndMessage,
  OutageStartError,
  TidalError,
} from './errors.js';
import * as ERROR_IDS from './error-ids.js';

export { CredentialsError, IllegalArgumentError, InitError, OutageEndMessage, OutageStartError, TidalError };

function createProducer() {
  const { emit, bus } = createBus();
  /** @type {any} the config as init() copied it, with later changes; undefined before init() */
  let config = undefined;
  /** @type {ReturnType<typeof createSiteConsent> | null} */
  let siteConsent = null; // from the first init()
  const consent = () => /** @type {NonNullable<typeof siteConsent>} */ (siteConsent).current();
  const held = createHeldEvents();
  const credentials = createCredentials({
    provider: () => config?.credentialsProvider,
    onRefused: (problem) => emit(new CredentialsError(problem)),
  });
  // Events may stay stored past this tab's life: the service worker may
  // send them once the collector is back, even after every tab is closed.
  const outage = createOutage({ emit, onDeliveryOutage: askServiceWorkerForDelivery });
  const lifecycle = createPageLifecycle({
    readySession: () => active.ready(),
    handOverBuffered: () => active.postBuffered(),
    // Left stored (what consent holds back waits for a change of consent, not a sync).
    onLeft: (stats) => stats.queued > stats.heldByConsent && askServiceWorkerForDelivery(),
  });
  const early = startEarlyWorker();
  const watch = createWorkerWatch();
  const active = createActiveSession({
    config: () => config,
    consent,
    held,
    credentials,
    outage,
    early,
    watch,
    lifecycle,
  });
  const consentChanges = createConsentChanges({ active, held });
  /** @type {Promise<ReturnType<typeof import('./service-worker-handoff.js').createPageHandoff>> | null} */
  let pageHandoff = null;

  /**
   * Runs `step` of the hand-off to the service worker
   * (web/service-worker-handoff.js), loaded once an app opts in: an app that
   * does not downloads none of it. In dist/ it is its own file beside
   * index.js (scripts/bundle.mjs). A failure is reported, not thrown.
   * @param {(handoff: ReturnType<typeof import('./service-worker-handoff.js').createPageHandoff>) => Promise<unknown>} step
   */
  function handOff(step) {
    pageHandoff ??= import('./service-worker-handoff.js').then((module) => module.createPageHandoff());
    return pageHandoff.then(step).catch(reportHandOffFailure);
  }

  /** Asks for a Background Sync, if the app opted in. */
  function askServiceWorkerForDelivery() {
    if (config?.serviceWorker) handOff((handoff) => handoff.askForDelivery());
  }

  /**
   * The service worker could not be handed what it needs: nothing is lost,
   * the next tab sends the events, but an app that opted in hears of it in strict mode.
   * @param {unknown} error
   */
  function reportHandOffFailure(error) {
    const why = /** @type {{ message?: unknown } | undefined} */ (error)?.message ?? error;
    if (config?.strictMode) console.error(`event-producer: [${ERROR_IDS.serviceWorkerHandOff}] ${why}`);
  }

  return {
    /**
     * Starts the producer: the worker, its stored queue, its timers. Resolves
     * once the stored queue is loaded. A second call returns the first call's
     * promise until shutdown(). Rejects with IllegalArgumentError for a bad
     * config and with InitError when the worker or storage can't start (with
     * storage the producer then keeps working in memory), or when shutdown()
     * is called before it is done (errorCode 'shutdown').
     * @param {import('./index.d.ts').Config} given
     * @returns {Promise<void>}
     */
    init(given) {
      const started = active.started();
      if (started) return started;
      try {
        config = copyConfig(given);
      } catch (error) {
        return Promise.reject(error); // a rejection, as for every other failure of init
      }
      siteConsent ??= createSiteConsent({
        onChange: consentChanges.apply,
        mirror: config.serviceWorker ? (...change) => handOff((handoff) => handoff.mirrorConsent(...change)) : null,
      });
      // The config's consent is this tab's statement: the newest, so it wins
      // where it states something. getConfig() shows the site's consent over
      // it, read from its owner.
      siteConsent.change(config.blockedConsentCategories);
      const stated = config.blockedConsentCategories;
      Object.defineProperty(config, 'blockedConsentCategories', {
        get: () => ({ ...stated, ...consent().blocked }),
        enumerable: true,
        configurable: true,
      });
      if (config.serviceWorker) {
        const kept = { core: coreConfig(config), tlPublicConsumerUri: config.tlPublicConsumerUri };
        handOff((handoff) => handoff.rememberConfig(kept));
      }
      return active.init();
    },

    /**
     * Queues an event: fire-and-forget, never throws for a bad event (it is
     * counted with its reason; strictMode also logs the problem).
     * @param {unknown} event
     */
    sendEvent(event) {
      const ready = !!active.ready();
      const { json, refused } = serialiseEvent(event);
      if (refused) held.refuse(refused, { ready });
      else if (!held.add(json, { ready })) return;
      active.schedulePost();
    },

    /**
     * Blocks or unblocks consent categories for the whole site (every tab of
     * the origin, and later visits); `{ purge: true }` also removes the stored
     * events of the categories it blocks. Throws IllegalArgumentError
     * (tep.config.blockedConsentCategories) for a value that is not a boolean,
     * null or undefined.
     * @param {Record<string, unknown>} partial
     * @param {{ purge?: boolean }} [options]
     */
    setConsentCategory(partial, options = {}) {
      if (!config || !siteConsent) throw new IllegalArgumentError('call init() first');
      // Events sent before the change are judged by the consent they were sent under.
      const before = { ...consent().blocked };
      const purged = siteConsent.change(partial, { purge: !!options?.purge });
      consentChanges.closeSegment(before);
      consentChanges.apply(consent(), purged);
    },

    /**
     * Replaces the credentials provider; throws IllegalArgumentError before init().
     * @param {import('./index.d.ts').CredentialsProvider} provider
     */
    setCredentialsProvider(provider) {
      if (!config) throw new IllegalArgumentError('call init() first');
      config.credentialsProvider = provider;
    },

    /**
     * Subscribes to the bus (outages and refused credentials); returns an
     * unsubscribe function. Also callable as `bus.bus(listener)`.
     */
    bus,
    /** The config as init() copied it, with later changes. */
    getConfig: () => config,
    /** Resolves once everything sent so far is durable and a send was attempted. */
    flush: active.flush,
    /** Whether events can't be delivered or stored now. */
    isOutage: outage.isOutage,
    /** Queue depth and bytes, requests in flight, counters, last error; null before init has answered. */
    getStats: active.stats,
    /**
     * Makes everything durable and stops the worker; init() may be called again.
     * A pending init() rejects with InitError 'shutdown'; events sent since it
     * was called are kept for the next init().
     */
    shutdown: active.shutdown,
  };
}

export const {
  bus,
  init,
  sendEvent,
  setConsentCategory,
  setCredentialsProvider,
  getConfig,
  flush,
  isOutage,
  getStats,
  shutdown,
} = createProducer();
