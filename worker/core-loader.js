// Getting the wasm core running: worker/core.mjs's factory, given the host
// the core calls back and, in the early worker, the module the page compiled
// while this worker's thread started (or, if the page could not compile it,
// core.wasm fetched here). The module's JS, and with it the stored folders
// (worker/stored-folders.post.js), is there at once; only the wasm takes time.

/** @typedef {import('./core.mjs').CoreModule} CoreModule */
/** @typedef {import('./core.mjs').CoreOptions} CoreOptions */

/**
 * `createCore(options)`: worker/core.mjs's factory. `host`: what the core
 * calls back. `close()`: ends the worker. `fetchWasm()`: core.wasm's
 * response, where the page could not compile it.
 * @param {{
 *   createCore: (options: CoreOptions) => Promise<CoreModule>,
 *   host: import('./core.mjs').Host,
 *   close: () => void,
 *   fetchWasm?: () => Promise<Response>,
 * }} dependencies
 */
export function createCoreLoader({
  createCore,
  host,
  close,
  // The rare path (the page's fetch or compile failed): bytes work whatever MIME type the file is served with.
  fetchWasm = () => fetch(new URL('core.wasm', import.meta.url), { credentials: 'same-origin' }),
}) {
  // The early worker's wasm: the page fetches and compiles core.wasm while this
  // worker's thread starts and its script loads, and posts the module ('wasm').
  /** @type {(module: WebAssembly.Module | null) => void} */
  let receivePageWasm = () => {};
  /** @type {Promise<WebAssembly.Module | null>} */
  const pageWasm = new Promise((resolve) => (receivePageWasm = resolve));

  /** An instance of the page's module, or, if the page could not compile it, of core.wasm fetched here. @param {WebAssembly.Imports} imports */
  async function instantiateFromPage(imports) {
    const module = await pageWasm;
    if (module) return WebAssembly.instantiate(module, imports);
    const bytes = await (await fetchWasm()).arrayBuffer();
    return (await WebAssembly.instantiate(bytes, imports)).instance;
  }

  return {
    /** The page's compiled module, or null if it could not compile one. @param {WebAssembly.Module | null} module */
    receivePageWasm: (module) => receivePageWasm(module),

    /**
     * Creates the core: `module` resolves once it runs; `willRun` once it is
     * sure to (see below); `storedFolders` is there at once. `wasmUrl`: where
     * core.wasm is, if not beside this script; `wasmFromPage`: the page
     * posts the compiled module.
     * @param {{ wasmUrl?: string, wasmFromPage?: boolean }} request
     */
    load({ wasmUrl, wasmFromPage = false }) {
      // A core that aborted (out of memory, a trap) can't be called again: the
      // worker ends, and the page starts a new one on the same store.
      /** @type {CoreOptions} */
      const options = { host, onAbort: () => close() };
      if (wasmUrl) options.locateFile = (file) => (file.endsWith('.wasm') ? wasmUrl : file);
      /** @type {Promise<never>} */
      let instantiationFailed = new Promise(() => {});
      if (wasmFromPage) {
        instantiationFailed = new Promise((_, reject) => {
          options.instantiateWasm = (imports, receive) => {
            instantiateFromPage(imports).then((instance) => receive(instance), reject);
            return {}; // the exports come through receive
          };
        });
      }
      const module = Promise.race([createCore(options), instantiationFailed]);
      // What init waits for of the wasm: that it will run. A module the page
      // compiled will (instantiating it fails only for want of memory, and then
      // the worker ends and is replaced); one this worker fetches itself may not
      // be there at all, and init must say so.
      const willRun = wasmFromPage ? pageWasm.then((compiled) => (compiled ? null : module)) : module;
      const { storedFolders } = options;
      if (!storedFolders) throw new Error('the core module has no stored folders');
      return { module, willRun, storedFolders };
    },
  };
}
