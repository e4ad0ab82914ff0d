// The package as users install it: `npm pack` makes the tarball, npm installs
// it from the file into the small apps of tests/apps, and each app runs in
// Chromium against the reference consumer on its own origin: one built with
// Vite, one built with webpack 5, and a plain page with an import map that
// hosts the worker and core.wasm under other paths (workerUrl, wasmUrl). Every
// app is served under the strict Content Security Policy that
// docs/browser-support.md gives (the plain page's inline import map allowed by
// its hash, as any inline script must be), and no violation may be reported,
// by the page or by the worker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build as viteBuild } from 'vite';
import webpack from 'webpack';
import { startDemoServer } from '../../demo/serve.mjs';
import { staticFiles } from '../../demo/static-files.mjs';
import { installPackedPackage, packageRoot } from '../apps/install-packed-package.mjs';
import { openBrowser, waitFor } from './harness.mjs';
import { HANDOFF_DATABASE } from '../../web/service-worker-handoff.js';

/** The policy docs/browser-support.md gives users, read from its Content-Security-Policy line. */
function documentedPolicy() {
  const documented = readFileSync(new URL('../../docs/browser-support.md', import.meta.url), 'utf8');
  const line = documented.match(/^Content-Security-Policy: (.+)$/m);
  if (!line) throw new Error('docs/browser-support.md gives no Content-Security-Policy line');
  return line[1];
}
const DOCUMENTED_POLICY = documentedPolicy();
// Where the report-only copy of a policy sends what it would have blocked:
// the worker reports there too, where no page listener can hear it.
const CSP_REPORT_PATH = '/csp-reports';
// What each app sends (tests/apps/send-events.js).
const EVENT_COUNT = 5;
// An app starts its worker, compiles the wasm, opens IndexedDB and delivers
// within a few seconds; this leaves room for a busy machine.
const APP_TIMEOUT_MS = 30000;

let installed;
let browser;

/** The files, relative to `folder` and with forward slashes. */
async function filesUnder(folder) {
  return (await readdir(folder, { recursive: true })).map((file) => file.split(sep).join('/'));
}

async function buildWithVite() {
  const outDir = join(installed.work, 'vite-build');
  await viteBuild({
    root: join(installed.appsDir, 'vite'),
    configFile: false,
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

async function buildWithWebpack() {
  const appDir = join(installed.appsDir, 'webpack');
  const { default: config } = await import(pathToFileURL(join(appDir, 'webpack.config.mjs')).href);
  const compiler = webpack(config);
  const stats = await promisify(compiler.run.bind(compiler))();
  await promisify(compiler.close.bind(compiler))();
  assert.ok(!stats.hasErrors(), stats.toString({ all: false, errors: true, warnings: true }));
  await copyFile(join(appDir, 'index.html'), join(config.output.path, 'index.html'));
  return config.output.path;
}

/** The entry script of a Vite build, as its index.html loads it. */
async function viteEntry(outDir) {
  const html = await readFile(join(outDir, 'index.html'), 'utf8');
  const entry = /<script type="module"[^>]*\bsrc="\/?([^"]+)"/.exec(html)?.[1];
  assert.ok(entry, `index.html loads a module script:\n${html}`);
  return entry;
}

// The apps a bundler builds: the bundler, the app's name (its app-name
// header), how it is built, and its entry script in the build.
const bundledApps = [
  { bundler: 'Vite', appName: 'vite-app', build: buildWithVite, entry: viteEntry },
  { bundler: 'webpack 5', appName: 'webpack-app', build: buildWithWebpack, entry: async () => 'main.js' },
];

/** `policy` with the hash of every inline script of `html` allowed, as an app with an inline import map must. */
function allowingInlineScripts(policy, html) {
  const hashes = [...html.matchAll(/<script\b[^>]*>([^<]+)<\/script>/g)].map(
    ([, text]) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`,
  );
  return policy.replace("script-src 'self'", ["script-src 'self'", ...hashes].join(' '));
}

/** Collects the reports that the browser POSTs to CSP_REPORT_PATH. */
function cspReportReceiver(reports) {
  return async function receiveCspReport(req, res) {
    if (req.method !== 'POST' || new URL(req.url, 'http://app').pathname !== CSP_REPORT_PATH) return false;
    let body = '';
    for await (const chunk of req) body += chunk;
    try {
      reports.push(JSON.parse(body)['csp-report'] ?? body);
    } catch {
      reports.push(body);
    }
    res.writeHead(204).end();
    return true;
  };
}

/**
 * Serves `mounts` ([URL prefix, folder]) with the reference consumer on one
 * loopback origin, every response under `policy` (enforced, and a
 * report-only copy that reports to CSP_REPORT_PATH).
 */
async function serveApp(mounts, policy) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tep-app-consumer-'));
  const cspReports = [];
  const receiveCspReport = cspReportReceiver(cspReports);
  const serveStatic = staticFiles(mounts, { index: '/index.html' });
  const demo = await startDemoServer({
    port: 0,
    dataDir,
    quiet: true,
    serveFiles: async (req, res) => (await receiveCspReport(req, res)) || serveStatic(req, res),
    headers: {
      'Content-Security-Policy': policy,
      'Content-Security-Policy-Report-Only': `${policy}; report-uri ${CSP_REPORT_PATH}`,
    },
  });
  return {
    url: demo.url,
    cspReports,
    async events() {
      const page = await (await fetch(`${demo.url}consumer/events?after=0&limit=1000`)).json();
      return page.events;
    },
    async close() {
      await demo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `use(site)` with `mounts` served under `policy`, then stops the server. */
async function withSite(mounts, policy, use) {
  const site = await serveApp(mounts, policy);
  try {
    return await use(site);
  } finally {
    await site.close();
  }
}

/**
 * Opens `path` of `site` in a page that records, from before its first
 * script, every CSP violation (window.cspViolations) and every response.
 */
async function openWatchedPage(site, path) {
  const page = await browser.context.newPage();
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.cspViolations.push(
        `${event.effectiveDirective} refused ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  const responses = [];
  page.on('response', (response) =>
    responses.push({ url: response.url(), status: response.status(), type: response.headers()['content-type'] }),
  );
  await page.goto(new URL(path, site.url).href);
  return { page, responses };
}

/** Runs the app at `path` of `site`: its outcome, with every response and every violation the page saw. */
async function runApp(site, path) {
  const { page, responses } = await openWatchedPage(site, path);
  await page.waitForFunction(() => window.appResult !== undefined || window.appError !== undefined, null, {
    timeout: APP_TIMEOUT_MS,
  });
  const outcome = await page.evaluate(() => ({
    error: window.appError,
    result: window.appResult,
    cspViolations: window.cspViolations,
  }));
  await page.close();
  return { ...outcome, responses };
}

/** Checks that the app delivered its events, and that no page error or violation occurred. */
async function checkDelivered(site, appName, { error, result, cspViolations, responses }) {
  const failedLoads = responses.filter((response) => response.status >= 400);
  assert.equal(error, undefined, `init and flush succeed (failed loads: ${JSON.stringify(failedLoads)})`);
  assert.equal(result.sent, EVENT_COUNT);
  assert.deepEqual(failedLoads, [], 'every file the app asked for was there');
  const wasmResponse = responses.find((response) => response.url.endsWith('.wasm'));
  assert.equal(wasmResponse?.type, 'application/wasm', 'the wasm is fetched');

  const events = await waitFor(
    async () => {
      const delivered = (await site.events()).filter((event) => event.name === 'packaged_app_event');
      return delivered.length === EVENT_COUNT && delivered;
    },
    { what: `${EVENT_COUNT} packaged_app_event at the consumer of ${appName}` },
  );
  const bodies = events.map((event) => JSON.parse(event.body));
  assert.deepEqual(
    bodies.map((body) => body.payload.i).sort((a, b) => a - b),
    [...Array(EVENT_COUNT).keys()],
  );
  for (const [index, event] of events.entries()) {
    assert.equal(event.authenticated, true);
    assert.equal(event.headers['app-name'], appName);
    assert.equal(bodies[index].payload.note, 'installed from the tarball 🎵');
  }

  assert.deepEqual(cspViolations, [], 'the page reports no CSP violation');
  assert.deepEqual(site.cspReports, [], 'no CSP violation is reported, by the page or by the worker');
  assert.deepEqual(browser.pageErrors, []);
  return events;
}

/** Relative module specifiers a built JS file still imports (static imports, re-exports, dynamic imports). */
function relativeImports(code) {
  const specifiers = new Set();
  for (const pattern of [
    /\b(?:import|export)\b[^'"`;()]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g,
  ]) {
    for (const [, specifier] of code.matchAll(pattern)) if (specifier.startsWith('.')) specifiers.add(specifier);
  }
  return [...specifiers];
}

/**
 * Checks that a bundler emitted the worker (with everything it imports),
 * core.wasm and the service-worker hand-off as assets of the build, the
 * worker locating the wasm by its emitted name.
 */
async function checkEmittedAssets(outDir, entry) {
  const files = await filesUnder(outDir);
  const read = (file) => readFile(join(outDir, file), 'utf8');

  const wasmAssets = files.filter((file) => file.endsWith('.wasm'));
  assert.equal(wasmAssets.length, 1, `one .wasm in the build output: ${JSON.stringify(files)}`);
  const [wasmAsset] = wasmAssets;
  assert.ok(
    (await readFile(join(outDir, wasmAsset))).equals(
      await readFile(join(installed.installedPackage, 'dist/core.wasm')),
    ),
    `${wasmAsset} is the installed dist/core.wasm byte for byte`,
  );

  // The other scripts are the worker and the service-worker hand-off, the
  // chunk the page imports once an app opts in (Vite names both in the
  // entry; webpack's runtime builds the names from the chunks' ids).
  const scripts = files.filter((file) => /\.m?js$/.test(file) && file !== entry);
  const code = new Map(await Promise.all(scripts.map(async (file) => [file, await read(file)])));
  const workerAssets = scripts.filter((file) => code.get(file).includes(posix.basename(wasmAsset)));
  assert.equal(
    workerAssets.length,
    1,
    `one script, the worker, locates core.wasm by its emitted name ${wasmAsset}: ${JSON.stringify(files)}`,
  );
  const [workerAsset] = workerAssets;
  const others = scripts.filter((file) => file !== workerAsset);
  assert.equal(others.length, 1, `the worker and the hand-off besides the entry ${entry}: ${JSON.stringify(files)}`);
  assert.ok(code.get(others[0]).includes(HANDOFF_DATABASE), `${others[0]} is the service-worker hand-off`);
  // A worker copied verbatim would still import files that nothing emitted.
  const missing = relativeImports(code.get(workerAsset)).filter(
    (specifier) => !files.includes(posix.join(posix.dirname(workerAsset), specifier)),
  );
  assert.deepEqual(missing, [], `${workerAsset} imports files the build did not emit`);
}

before(async () => {
  installed = await installPackedPackage();
  for (const app of bundledApps) app.outDir = await app.build();
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await installed?.remove();
});

test('npm pack ships dist/, the README, the docs it links and the licence, and builds dist/ first', async () => {
  const docs = (await readdir(join(packageRoot, 'docs'))).filter((name) => name.endsWith('.md'));
  assert.deepEqual(installed.packedFiles, [
    'LICENSE',
    'README.md',
    'dist/core.wasm',
    'dist/index.d.ts',
    'dist/index.js',
    'dist/service-worker-handoff.js',
    'dist/service-worker.js',
    'dist/worker.js',
    ...docs.sort().map((name) => `docs/${name}`),
    'package.json',
  ]);
  for (const file of [
    'dist/core.wasm',
    'dist/index.d.ts',
    'dist/index.js',
    'dist/service-worker-handoff.js',
    'dist/service-worker.js',
    'dist/worker.js',
  ]) {
    assert.ok(
      (await readFile(join(installed.installedPackage, file))).equals(await readFile(join(packageRoot, file))),
      `the installed ${file} is the built one`,
    );
  }
  const manifest = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8'));
  assert.match(manifest.scripts.prepack, /scripts\/build\.sh --package/, 'a pack from a fresh clone builds dist/');
});

for (const app of bundledApps) {
  test(`${app.bundler} emits the worker, core.wasm and the service-worker hand-off of the installed package as assets of the build`, async () => {
    await checkEmittedAssets(app.outDir, await app.entry(app.outDir));
  });

  test(`the ${app.bundler} app delivers its events under the strict CSP`, () =>
    withSite([['/', app.outDir]], DOCUMENTED_POLICY, async (site) => {
      await checkDelivered(site, app.appName, await runApp(site, '/index.html'));
    }));
}

// The plain app keeps the package's files where its tests/apps/plain/index.html says.
function plainAppMounts() {
  const dist = join(installed.installedPackage, 'dist');
  return [
    ['/assets/js/', dist],
    ['/assets/workers/', dist],
    ['/assets/wasm/', dist],
    ['/', installed.appsDir],
  ];
}

async function plainAppPolicy(policy) {
  return allowingInlineScripts(policy, await readFile(join(installed.appsDir, 'plain/index.html'), 'utf8'));
}

test('the plain page with an import map loads the worker and core.wasm from where workerUrl and wasmUrl say, under the strict CSP', async () =>
  withSite(plainAppMounts(), await plainAppPolicy(DOCUMENTED_POLICY), async (site) => {
    const run = await runApp(site, '/plain/index.html');
    await checkDelivered(site, 'plain-app', run);
    const packageFiles = run.responses
      .map((response) => new URL(response.url).pathname)
      .filter((path) => path.startsWith('/assets/'));
    // The head start at import compiles the core.wasm beside index.js, before
    // init says where this app keeps its files; init then loads those.
    assert.deepEqual(packageFiles.sort(), [
      '/assets/js/core.wasm',
      '/assets/js/index.js',
      '/assets/wasm/core.wasm',
      '/assets/workers/worker.js',
    ]);
  }));

test("the platform as TIDAL's README writes it arrives as device-vendor, device-model and os-version headers", async () =>
  withSite(plainAppMounts(), await plainAppPolicy(DOCUMENTED_POLICY), async (site) => {
    const [event] = await checkDelivered(site, 'plain-app', await runApp(site, '/plain/index.html'));
    assert.equal(event.headers['device-vendor'], 'Binocular');
    assert.equal(event.headers['device-model'], 'shyPhone');
    assert.equal(event.headers['os-version'], '6.1');
    assert.equal(event.headers['os-name'], 'linux');
  }));

test('a violation on the page is noticed: the inline import map is refused without its hash', () =>
  withSite(plainAppMounts(), DOCUMENTED_POLICY, async (site) => {
    const { page } = await openWatchedPage(site, '/plain/index.html');
    try {
      await page.waitForFunction(() => window.cspViolations.length > 0, null, { timeout: APP_TIMEOUT_MS });
      const violations = await page.evaluate(() => window.cspViolations);
      assert.ok(
        violations.some((violation) => violation.startsWith('script-src-elem refused inline')),
        JSON.stringify(violations),
      );
    } finally {
      await page.close();
    }
  }));

test("a violation in the worker is noticed: without 'wasm-unsafe-eval' the wasm is refused and reported", async () =>
  withSite(
    plainAppMounts(),
    await plainAppPolicy(DOCUMENTED_POLICY.replace(" 'wasm-unsafe-eval'", '')),
    async (site) => {
      const { page } = await openWatchedPage(site, '/plain/index.html');
      try {
        const reports = await waitFor(() => site.cspReports.length > 0 && site.cspReports, { what: 'a CSP report' });
        assert.ok(
          reports.some(
            (report) => report['effective-directive'] === 'script-src' && report['blocked-uri'] === 'wasm-eval',
          ),
          `the worker's wasm compilation is reported: ${JSON.stringify(reports)}`,
        );
      } finally {
        await page.close();
      }
    },
  ));
