// What the package's service worker (worker/service-worker.js) does when the
// browser wakes it: it starts the producer on its own store with what the
// pages left (web/service-worker-handoff.js), has it adopt the stores no live
// tab holds and send what it can, and says whether anything is left. It
// talks to the producer as a page does, with requests and their replies.
import { Action, Notice } from '../web/protocol.js';
import { isNewerConsent, readSiteConsent } from '../web/site-consent.js';

// The service worker's own store: after a delivery that left events behind,
// the next wake-up of this service worker restores them from it, and once the
// service worker has ended, a tab may adopt it like any gone tab's store.
const SERVICE_WORKER_STORE_ID = 'service-worker';

/**
 * `toProducer(event)`: the producer's message handler. `readHandoff()`: what
 * the pages left. `writeMirror(consent)`: keeps a consent in the pages'
 * mirror, unless it holds a newer one. `storePaths()`: the origin's stores.
 * `storePathOf(id)`: the path of the store `id`. `warn(text)`: the
 * producer's problems.
 * @param {{
 *   toProducer: (event: { data: unknown }) => void,
 *   readHandoff: () => Promise<import('../web/service-worker-handoff.js').Handoff>,
 *   writeMirror: (consent: import('../web/site-consent.js').SiteConsent) => Promise<void>,
 *   storePaths: () => Promise<string[]>,
 *   storePathOf: (id: string) => string,
 *   warn?: (text: string) => void,
 * }} dependencies
 */
export function createStoredDelivery({
  toProducer,
  readHandoff,
  writeMirror,
  storePaths,
  storePathOf,
  warn = (text) => console.warn(text),
}) {
  let nextRequestId = 1;
  /** @type {Map<number, { resolve: (result: any) => void, reject: (error: Error) => void }>} */
  const awaitingReply = new Map();
  /** @type {Promise<{ storeId: string }> | null} */
  let started = null;
  /** @type {Promise<void> | null} */
  let delivering = null;
  // The newest consent a tab told this service worker of while it ran. A
  // delivery runs while tabs may still be open or closing: one that acted
  // only on the consent it read when it began could send a category the
  // user blocked meanwhile.
  /** @type {import('../web/site-consent.js').SiteConsent | null} */
  let heardConsent = null;

  /** A notice of the producer's. @param {import('../web/protocol.js').WorkerNotice} notice */
  function hear(notice) {
    if (notice.type === Notice.reply) {
      const waiting = awaitingReply.get(notice.id);
      awaitingReply.delete(notice.id);
      if (notice.error) waiting?.reject(Object.assign(new Error(notice.error.message), { code: notice.error.code }));
      else waiting?.resolve(notice.result);
    } else if (notice.type === Notice.problem) {
      warn(`event-producer service worker: ${notice.message}`);
    }
  }

  /**
   * A change of the site's consent that a tab told of (web/site-consent.js
   * broadcasts each; web/service-worker-handoff.js posts each here, waking
   * this service worker if need be): the running producer applies it at
   * once, a delivery that starts later uses it where the pages' mirror holds
   * an older one, and it is written to the mirror, for a wake-up after this
   * service worker has ended. The tab's own write of the mirror may be lost
   * with the tab. Resolves once both are done.
   * @param {unknown} value
   * @returns {Promise<void>}
   */
  async function hearConsent(value) {
    const consent = readSiteConsent(value);
    if (!consent || (heardConsent && !isNewerConsent(consent, heardConsent))) return;
    heardConsent = consent;
    const applied = started?.then(() => ask(Action.consent, { consent }));
    const outcomes = await Promise.allSettled([applied, writeMirror(consent)]);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        warn(`event-producer service worker: a change of consent not applied: ${outcome.reason?.message}`);
      }
    }
  }

  /**
   * Sends the producer one request and resolves with its reply.
   * @param {string} action
   * @param {Record<string, unknown>} [fields]
   * @returns {Promise<any>}
   */
  function ask(action, fields = {}) {
    const id = nextRequestId++;
    return new Promise((resolve, reject) => {
      awaitingReply.set(id, { resolve, reject });
      toProducer({ data: { id, action, ...fields } });
    });
  }

  /**
   * Starts the producer on this service worker's store with what the pages
   * left, or gives it the latest consent if it runs already.
   * @param {{
   *   config: import('../web/service-worker-handoff.js').ServiceWorkerConfig,
   *   consent: import('../web/site-consent.js').SiteConsent,
   * }} handoff what the pages left, both there
   */
  async function startOrUpdate({ config, consent }) {
    if (started) {
      const running = await started;
      await ask(Action.consent, { consent });
      return running;
    }
    started = ask(Action.init, {
      // Without a token, the logged-in endpoint is never used: both are the public one.
      config: {
        core: config.core,
        tlConsumerUri: config.tlPublicConsumerUri,
        tlPublicConsumerUri: config.tlPublicConsumerUri,
      },
      credentials: null,
      consent,
      storeId: SERVICE_WORKER_STORE_ID,
    });
    return started.catch((error) => {
      started = null; // the next wake-up tries again
      throw error;
    });
  }

  /**
   * Adopts the stores of gone tabs and sends what can be sent. Rejects, so
   * that the browser wakes this service worker again later, if events that
   * consent allows are still stored here, or if stores are left that a live
   * tab holds: a sync asked for while a tab was leaving may come before its
   * worker has ended, and that tab's events are then adopted next time.
   */
  async function deliverStored() {
    const { config, consent: mirrored } = await readHandoff();
    const consent = heardConsent && (!mirrored || isNewerConsent(heardConsent, mirrored)) ? heardConsent : mirrored;
    // No page of the origin opted in yet: nothing of ours is stored here.
    if (!config || !consent) return;
    const { storeId } = await startOrUpdate({ config, consent });
    const stats = await ask(Action.deliverStored);
    // What consent holds back waits for a change of consent, not for the network.
    const unsent = stats.queued - stats.heldByConsent;
    if (unsent > 0) {
      throw new Error(`event-producer: ${unsent} stored events not delivered yet (${stats.lastError ?? 'no answer'})`);
    }
    const held = (await storePaths()).filter((path) => path !== storePathOf(storeId));
    if (held.length) throw new Error(`event-producer: ${held.length} stores are still held by open tabs`);
  }

  /** One delivery at a time: a wake-up during one joins it. */
  function deliverOnce() {
    delivering ??= deliverStored().finally(() => (delivering = null));
    return delivering;
  }

  return { hear, hearConsent, deliverOnce };
}
