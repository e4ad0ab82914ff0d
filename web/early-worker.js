// A head start: as @tidal-music/event-producer does, the worker is created
// when the page loads this module, and reads the tab's stored queue at once
// while the page compiles the wasm for it (nothing is sent, nothing written:
// that waits for init). init() then takes this worker, so an app's
// `await init()` costs little more than creating the core and opening the
// store. A config with its own workerUrl or wasmUrl can't use it: the early
// worker is ended and init starts the right one.
import { Action } from './protocol.js';
import { post } from './session.js';
import { rememberedStoreId } from './store-id.js';
import { wallClock } from './init-timings.js';

/**
 * @typedef {{ postMessage(message: unknown): void, terminate(): void,
 *   addEventListener(type: string, listener: (event: any) => void, options?: { once?: boolean }): void }} EarlyWorker
 */

/**
 * The package's own worker. The literal `new Worker(new URL('./worker.js',
 * import.meta.url))` is the form bundlers (Vite, webpack 5) recognise: they
 * bundle the worker, its core and core.wasm, and rewrite the URLs.
 */
export function createPackageWorker() {
  return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
}

/** The package's core.wasm, compiled off the main thread while it downloads; undefined where that can't be done. */
function compilePackageWasm() {
  return WebAssembly.compileStreaming?.(fetch(new URL('./core.wasm', import.meta.url)));
}

/**
 * Starts the early worker where the page can run one (not in server-side
 * rendering, nor in old browsers). Returns what init() takes it with.
 * @param {{
 *   canStart?: boolean,
 *   createWorker?: () => EarlyWorker,
 *   compileWasm?: () => Promise<WebAssembly.Module> | undefined,
 *   storeId?: string,
 *   now?: () => number,
 * }} [dependencies]
 */
export function startEarlyWorker({
  canStart = typeof Worker === 'function' && typeof document !== 'undefined',
  createWorker = createPackageWorker,
  compileWasm = compilePackageWasm,
  storeId = canStart ? rememberedStoreId() : undefined,
  now = wallClock,
} = {}) {
  /** @type {{ worker: EarlyWorker, createdAt: number, failed: boolean } | null} */
  let early = null;
  if (canStart) {
    try {
      const started = { createdAt: now(), worker: createWorker(), failed: false };
      const { worker } = started;
      // A worker that can't load (CSP worker-src, a missing file) is left to
      // init(), which starts its own and reports why.
      worker.addEventListener(
        'error',
        (event) => {
          event.preventDefault?.();
          started.failed = true;
        },
        { once: true },
      );
      post(worker, { action: Action.prepare, storeId, wasmFromPage: true });
      // The wasm is fetched and compiled (off the main thread) while the
      // worker's thread starts and its script loads, then handed to it.
      Promise.resolve(compileWasm())
        .catch(() => null) // the worker fetches its own
        .then((module) => {
          try {
            post(worker, { action: Action.wasm, module: module ?? null });
          } catch {
            post(worker, { action: Action.wasm, module: null }); // a module this browser can't post
          }
        });
      early = started;
    } catch {
      // as above: init() reports it
    }
  }
  return {
    /**
     * The early worker ({ worker, createdAt }) if a config with `workerUrl`
     * and `wasmUrl` can use it, once; otherwise it is ended.
     * @param {{ workerUrl?: unknown, wasmUrl?: unknown }} config
     */
    take({ workerUrl, wasmUrl }) {
      const taken = early;
      early = null;
      if (!taken) return null;
      if (!taken.failed && !workerUrl && !wasmUrl) return { worker: taken.worker, createdAt: taken.createdAt };
      taken.worker.terminate();
      return null;
    },
  };
}
