// Getting the wasm running (worker/core-loader.js) with a stand-in factory:
// the page's compiled module is instantiated, core.wasm is fetched only
// where the page had none, and init hears whether the wasm will run.
import assert from 'node:assert/strict';
import test from 'node:test';
import { createCoreLoader } from '../../worker/core-loader.js';

// The smallest valid wasm module: the magic number and version 1.
const EMPTY_WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

function setUp() {
  const seen = { options: null, fetched: 0, closed: 0, instances: [] };
  const loader = createCoreLoader({
    createCore: (options) => {
      seen.options = options;
      options.storedFolders = { name: 'folders' };
      if (!options.instantiateWasm) return Promise.resolve({ module: 'fetched by the glue' });
      return new Promise((resolve) => {
        options.instantiateWasm({}, (instance) => {
          seen.instances.push(instance);
          resolve({ module: 'from the page' });
        });
      });
    },
    host: { send() {}, publish() {}, problem() {} },
    close: () => seen.closed++,
    fetchWasm: async () => (seen.fetched++, new Response(EMPTY_WASM)),
  });
  return { loader, seen };
}

test("the glue fetches core.wasm itself, at the page's address if it gave one; an abort ends the worker", async () => {
  const { loader, seen } = setUp();
  const loaded = loader.load({ wasmUrl: 'https://cdn.example/core.wasm' });
  assert.deepEqual(loaded.storedFolders, { name: 'folders' });
  assert.equal(await loaded.willRun, await loaded.module);
  assert.equal(seen.options.locateFile('core.wasm'), 'https://cdn.example/core.wasm');
  assert.equal(seen.options.locateFile('other.data'), 'other.data');
  seen.options.onAbort('trap');
  assert.equal(seen.closed, 1);
});

test("the page's compiled module is instantiated without a fetch, and init need not wait for the instance", async () => {
  const { loader, seen } = setUp();
  const loaded = loader.load({ wasmFromPage: true });
  loader.receivePageWasm(await WebAssembly.compile(EMPTY_WASM));
  assert.equal(await loaded.willRun, null, 'a module the page compiled will run');
  assert.deepEqual(await loaded.module, { module: 'from the page' });
  assert.equal(seen.fetched, 0);
  assert.ok(seen.instances[0] instanceof WebAssembly.Instance);
});

test('where the page could not compile the module, core.wasm is fetched here and init waits until it runs', async () => {
  const { loader, seen } = setUp();
  const loaded = loader.load({ wasmFromPage: true });
  loader.receivePageWasm(null);
  assert.deepEqual(await loaded.willRun, { module: 'from the page' });
  assert.equal(seen.fetched, 1);
});

test('a module without stored folders is refused at once', () => {
  const loader = createCoreLoader({ createCore: async () => ({}), host: {}, close() {} });
  assert.throws(() => loader.load({}), /no stored folders/);
});
