// A session's start: its worker (the early one if the config can use it),
// the prepare message that gets the wasm and the stored queue going, the
// provider's credentials asked meanwhile, and the init request with the
// site's consent. Nothing here waits forever: each step has its time limit
// (web/deadlines.js), and every failure is an InitError saying why.
import { Action } from './protocol.js';
import { coreConfig } from './config.js';
import { DEADLINES } from './deadlines.js';
import { InitError, TidalError } from './errors.js';
import { createPackageWorker } from './early-worker.js';
import { rememberedStoreId } from './store-id.js';
import { wallClock } from './init-timings.js';

/**
 * Throws if `session` was shut down while its start waited.
 * @param {{ isClosed(): boolean }} session
 */
export function checkOpen(session) {
  if (session.isClosed()) throw new InitError('shutdown', 'shutdown() was called before init finished');
}

/**
 * `promise`, or what `onTimeout()` returns (or throws) if it takes longer than `ms`.
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {() => T} onTimeout
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, onTimeout) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve, reject) => {
      timer = setTimeout(() => {
        try {
          resolve(onTimeout());
        } catch (e) {
          reject(e);
        }
      }, ms);
    }),
  ]);
}

/** @typedef {import('./index.d.ts').ConfigCopy} StartConfig the config as init() copied it */

/**
 * Starts the worker of `session` with `config`; resolves once it answered
 * init, with its summary and when each of the page's steps happened.
 * `early` is web/early-worker.js's; `consent()` the site's consent in force.
 * @param {import('./session.js').Session} session
 * @param {{
 *   config: StartConfig,
 *   early: ReturnType<typeof import('./early-worker.js').startEarlyWorker>,
 *   credentials: import('./credentials.js').CredentialsSource,
 *   consent: () => import('./site-consent.js').SiteConsent,
 *   aliveLock: string,
 * }} start
 * @returns {Promise<{ summary: import('./protocol.js').InitSummary, marks: import('./init-timings.js').PageMarks }>}
 */
export async function startWorker(session, { config, early, credentials, consent, aliveLock }) {
  if (typeof Worker !== 'function') throw new InitError('no_worker', 'Web Workers are not available here');
  const initCalledAt = wallClock();
  const taken = early.take(config);
  const workerCreatedAt = taken?.createdAt ?? initCalledAt;
  let worker = taken?.worker;
  try {
    worker ??= config.workerUrl ? new Worker(config.workerUrl, { type: 'module' }) : createPackageWorker();
  } catch (error) {
    const why = /** @type {Error} */ (error).message;
    throw new InitError('worker', `the worker could not be started (${why}); check CSP worker-src`, error);
  }
  const failed = new Promise((_, reject) => {
    worker.addEventListener('error', (event) => {
      event.preventDefault?.();
      reject(new InitError('worker', `the worker failed to load: ${event.message || 'script error'}`));
    });
  });
  session.connect(/** @type {import('./session.js').SessionWorker} */ (worker));
  // The worker compiles the wasm and reads the store while the provider answers.
  const wasmUrl = config.wasmUrl ? String(config.wasmUrl) : undefined;
  const storeId = rememberedStoreId();
  session.tell({ action: Action.prepare, wasmUrl, storeId });

  // A provider that fails, throws, is slow or answers what can't be
  // credentials: the producer starts logged out.
  const asked = await credentials.ask({ timeoutMs: DEADLINES.credentialsAtInitMs });
  checkOpen(session);
  // The worker starts with the site's consent as it is now; later changes reach it in order.
  const consentNow = consent();
  const summary = await withTimeout(
    Promise.race([
      session.request(Action.init, {
        config: {
          core: coreConfig({ ...config, blockedConsentCategories: consentNow.blocked }),
          tlConsumerUri: config.tlConsumerUri,
          tlPublicConsumerUri: config.tlPublicConsumerUri,
        },
        credentials: asked.credentials ?? null,
        consent: consentNow,
        wasmUrl,
        storeId,
        aliveLock,
      }),
      failed,
    ]),
    DEADLINES.initMs,
    () => {
      throw new InitError('timeout', `the worker did not start within ${DEADLINES.initMs} ms`);
    },
  ).catch((error) => {
    throw error instanceof TidalError && error.name === 'InitError'
      ? error
      : new InitError('worker', String(error.message || error), error);
  });
  checkOpen(session);
  return { summary, marks: { workerCreatedAt, initCalledAt, initAnsweredAt: wallClock() } };
}
