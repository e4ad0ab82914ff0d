// The package as an app uses it: tests/bundler-app imports it by name and is
// built with Vite, the most common bundler. The page entry finds its worker
// with new URL('./worker.js', import.meta.url) and the worker's core finds
// core.wasm the same way; both must survive bundling as emitted assets, and
// the built app must deliver its events to the reference consumer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, posix, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { contentTypes } from '../../demo/static-files.mjs';
import { openBrowser, waitFor } from './harness.mjs';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const appRoot = fileURLToPath(new URL('../bundler-app/', import.meta.url));
const PACKAGE_NAME = 'tidal-event-producer-wasm';
const EVENT_COUNT = 5;


/** Serves a folder on a free loopback port, as a static host would serve a built app. */
async function serveFolder(folder) {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(folder, path));
    if (!file.startsWith(folder + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const bytes = await readFile(file);
      res.writeHead(200, { 'Content-Type': contentTypes[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(bytes);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Relative module specifiers a built JS file still imports (static imports, re-exports, dynamic imports). */
function relativeImports(code) {
  const specifiers = new Set();
  for (const pattern of [/\b(?:import|export)\b[^'"`;()]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g]) {
    for (const [, specifier] of code.matchAll(pattern)) if (specifier.startsWith('.')) specifiers.add(specifier);
  }
  return [...specifiers];
}

let work;
let outDir;
let files; // paths relative to outDir, with forward slashes
let browser;
let site;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'tep-bundler-'));
  outDir = join(work, 'out');
  // The package sits in a node_modules folder, through a symlink, as `npm
  // install` would put it; preserveSymlinks keeps that path so Vite treats
  // it as an installed dependency. The app's root is in the repository,
  // whose own node_modules doesn't hold the package, hence the alias to it.
  const installed = join(work, 'node_modules', PACKAGE_NAME);
  await mkdir(join(work, 'node_modules'));
  await symlink(packageRoot, installed, 'dir');
  await build({
    root: appRoot,
    configFile: false,
    logLevel: 'silent',
    resolve: {
      preserveSymlinks: true,
      // Only the bare name: subpath imports would go through the package's exports too.
      alias: [{ find: new RegExp(`^${PACKAGE_NAME}$`), replacement: installed }],
    },
    build: { outDir, emptyOutDir: true },
  });
  files = (await readdir(outDir, { recursive: true })).map((file) => file.split(sep).join('/'));
  browser = await openBrowser();
  site = await serveFolder(outDir);
});

after(async () => {
  await site?.close();
  await browser?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const read = (file) => readFile(join(outDir, file), 'utf8');

/** The entry chunk index.html loads. */
async function entryChunk() {
  const html = await read('index.html');
  const src = /<script type="module"[^>]*\bsrc="\/?([^"]+)"/.exec(html)?.[1];
  assert.ok(src, `index.html loads a module script:\n${html}`);
  return src;
}

test('Vite emits the worker and core.wasm as assets of the build, the worker bundled with everything it imports', async () => {
  const entry = await entryChunk();
  const entryCode = await read(entry);

  // The entry references the worker by its emitted file name.
  const workerAssets = files.filter((file) => /\.m?js$/.test(file) && file !== entry && entryCode.includes(posix.basename(file)));
  assert.equal(workerAssets.length, 1, `the entry chunk ${entry} references one worker file of ${JSON.stringify(files)}`);
  const [workerAsset] = workerAssets;
  const workerCode = await read(workerAsset);

  // A worker copied verbatim still imports ./core.mjs, which nothing emitted.
  const missing = relativeImports(workerCode).filter((specifier) => !files.includes(posix.join(posix.dirname(workerAsset), specifier)));
  assert.deepEqual(missing, [], `${workerAsset} imports files the build did not emit`);

  const wasmAssets = files.filter((file) => file.endsWith('.wasm'));
  assert.equal(wasmAssets.length, 1, `one .wasm in the build output: ${JSON.stringify(files)}`);
  const [wasmAsset] = wasmAssets;
  assert.ok(
    (await readFile(join(outDir, wasmAsset))).equals(await readFile(join(packageRoot, 'dist/core.wasm'))),
    `${wasmAsset} is dist/core.wasm byte for byte`,
  );
  assert.ok(workerCode.includes(posix.basename(wasmAsset)), `the worker ${workerAsset} locates core.wasm by its emitted name ${wasmAsset}`);
});

test('the bundled app, served as static files, delivers its events to the consumer', async () => {
  const page = await browser.context.newPage();
  const responses = [];
  page.on('response', (response) => responses.push({ url: response.url(), status: response.status(), type: response.headers()['content-type'] }));
  const consumer = encodeURIComponent(browser.url);
  await page.goto(`${site.url}?consumer=${consumer}&events=${EVENT_COUNT}`);
  await page.waitForFunction(() => window.appResult !== undefined || window.appError !== undefined, null, { timeout: 25000 });

  const failedLoads = responses.filter((r) => r.url.startsWith(site.url) && r.status !== 200);
  assert.equal(await page.evaluate(() => window.appError), undefined, `init and flush succeed (failed loads: ${JSON.stringify(failedLoads)})`);
  const wasmResponse = responses.find((r) => r.url.endsWith('.wasm'));
  assert.equal(wasmResponse?.type, 'application/wasm', 'the wasm is fetched from the built app');

  const events = await waitFor(async () => {
    const delivered = (await browser.consumerEvents()).filter((event) => event.name === 'bundled_app_event');
    return delivered.length === EVENT_COUNT && delivered;
  }, { what: `${EVENT_COUNT} bundled_app_event at the consumer` });
  const indices = events.map((event) => JSON.parse(event.body).payload.i).sort((a, b) => a - b);
  assert.deepEqual(indices, [...Array(EVENT_COUNT).keys()]);
  for (const event of events) {
    assert.equal(event.authenticated, true);
    assert.equal(event.headers['app-name'], 'bundled-app');
    assert.equal(JSON.parse(event.body).payload.note, 'built by vite 🎵');
  }
  assert.deepEqual(browser.pageErrors, []);
  await page.close();
});
