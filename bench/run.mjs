// Benchmarks this package against @tidal-music/event-producer 2.4.1 in
// headless Chromium, against the reference consumer on loopback, with the
// same workload for both; prints one table and writes bench/RESULTS.md and
// bench/chart.svg (raw figures: bench/work/results.json).
//   node bench/run.mjs            full run (depths 0/1k/10k/100k, 10k drain)
//   node bench/run.mjs --quick    smaller run to iterate (depths 0/1k, 2k drain)
//   node bench/run.mjs --init     only the init figures, printed, nothing written
//   node bench/run.mjs --drain    only the drain (1 in flight) beside the bare fetch loop, printed
// Needs `npm run build` first (it reads dist/).
import { execFileSync } from 'node:child_process';
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { openBenchBrowser } from './bench-server.mjs';
import { chromiumArgs as testChromiumArgs } from '../tests/browser/harness.mjs';
import { renderChart } from './chart.mjs';
import { keepingCollectorSection } from './collector-section.mjs';
import { renderMarkdown, renderResultsTable, renderTerminalTable, withReadmeResults } from './report.mjs';

const repository = fileURLToPath(new URL('..', import.meta.url));
const benchFolder = join(repository, 'bench');
const quick = process.argv.includes('--quick');
const initOnly = process.argv.includes('--init');
const drainOnly = process.argv.includes('--drain');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// The whole run must stop by itself: a stuck page ends it with an error.
// A full run takes 4–12 minutes on a shared 2-core machine (TIDAL's
// durability phases last until its tab runs out of memory): 20 leaves room.
const RUN_LIMIT_MS = (quick ? 4 : 20) * 60 * 1000;
setTimeout(() => {
  console.error(`bench: gave up after ${RUN_LIMIT_MS / 60000} minutes`);
  process.exit(2);
}, RUN_LIMIT_MS).unref();

const MiB = 1024 * 1024;
// What a page using this package downloads.
const PACKAGE_FILES = ['dist/index.js', 'dist/worker.js', 'dist/core.wasm'];
// Far beyond any run: with it neither library sends on its own timer, so the
// queue only grows (the consumer is also down while queues are filled).
const NEVER_MS = 1e8;

const plan = quick
  ? {
      depths: [0, 1000],
      costBatches: { wasm: () => 50, tidal: () => 10 },
      storedBytesEvents: { wasm: () => 100, tidal: () => 10 },
      durability: { events: 2000, repetitions: { wasm: 1, tidal: 1 } },
      drain: { events: 2000, repetitions: { wasm: 1, tidal: 1 } },
      initRepetitions: 2,
      initStoredCounts: [1000],
    }
  : {
      depths: [0, 1000, 10000, 100000],
      costBatches: { wasm: () => 200, tidal: (depth) => (depth >= 100000 ? 2 : depth >= 10000 ? 10 : 20) },
      // TIDAL writes its whole queue per event: few events keep the depth near its label.
      storedBytesEvents: {
        wasm: () => 200,
        tidal: (depth) => (depth >= 100000 ? 3 : depth >= 10000 ? 10 : depth >= 1000 ? 20 : 10),
      },
      // TIDAL's tab runs out of memory at this rate: one run of it is enough.
      // Three of this package's: the median of two p99s is their mean, which
      // one run slowed by the machine's other work decides.
      durability: { events: 5000, repetitions: { wasm: 3, tidal: 1 } },
      // TIDAL's drain of 10k runs into the 60 s limit: one run of it is enough.
      // Three of this package's, each beside a bare fetch loop, for the same
      // reason as the durability's.
      drain: { events: 10000, repetitions: { wasm: 3, tidal: 1 } },
      // A new tab's init varies by ±10 ms here with the machine's other work:
      // nine runs keep a median of each library from resting on one or two.
      initRepetitions: 9,
      initStoredCounts: [1000, 10000],
    };
// --drain takes the three measurements in turn this often: enough for a median
// on a shared machine, within a few minutes.
const DRAIN_ONLY_PAIRS = 5;
// 10 back-to-back calls per timed batch: see bench.sendCost in the page.
const BATCH_SIZE = 10;
const COST_TIME_LIMIT_MS = 20000;
const DURABLE_TIMEOUT_MS = 20000;
const STEADY_RATE = 1000; // events/s for the durability and bytes phases
const DRAIN_TIMEOUT_MS = 60000;
const MEMORY_DEPTHS = [10000, 100000];

const libraries = {
  wasm: 'this package',
  tidal: '@tidal-music/event-producer 2.4.1',
};

const chromiumArgs = [
  ...testChromiumArgs, // no sandbox as root, no background traffic
  // measureUserAgentSpecificMemory() answers at once instead of after the next GC.
  '--enable-blink-features=ForceEagerMeasureMemory',
];

function log(line) {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

// --- statistics ----------------------------------------------------------------

/** Nearest-rank percentile; null entries (never happened) count as +Infinity. */
function percentile(values, fraction) {
  const sorted = values.map((v) => (v === null || v === undefined ? Infinity : v)).sort((a, b) => a - b);
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))];
}

// --- browser and server ------------------------------------------------------------

/**
 * Samples the resident memory of this profile's largest renderer process (the
 * page and its dedicated worker live there) every 500 ms, from /proc: it is
 * still readable when a page runs out of memory and crashes.
 */
function watchRendererMemory(profile) {
  let peak = 0;
  let sampling = null;
  const sample = async () => {
    for (const pid of await readdir('/proc').catch(() => [])) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8');
        if (!commandLine.includes(profile) || !commandLine.includes('--type=renderer')) continue;
        const status = await readFile(`/proc/${pid}/status`, 'utf8');
        peak = Math.max(peak, Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024);
      } catch {
        // the process ended meanwhile
      }
    }
  };
  const timer = setInterval(() => {
    sampling ??= sample().finally(() => (sampling = null));
  }, 500);
  return {
    peak: () => peak,
    stop: () => clearInterval(timer),
  };
}

/** A fresh consumer (data dir) and a fresh browser profile for each scenario. */
async function withFreshBrowser(use) {
  const browser = await openBenchBrowser({ chromiumPath, args: chromiumArgs });
  const { server, context, profile } = browser;
  const pageErrors = [];
  let crashed = false;
  const openPage = async (library) => {
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`${library}: ${error}`));
    page.on('crash', () => {
      crashed = true;
      pageErrors.push(`${library}: the renderer crashed`);
    });
    await page.goto(`${server.url}bench/pages/producer-bench.html?library=${library}`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20000 });
    return page;
  };
  const reload = async (page) => {
    await page.reload();
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 20000 });
  };
  const rendererMemory = watchRendererMemory(profile);
  try {
    await server.consumerReset();
    const result = await use({ server, context, openPage, reload, pageErrors, rendererMemory });
    // A crash after the last measurement still marks the scenario.
    if (crashed && result && typeof result === 'object') {
      result.crashed = true;
      result.peakRendererBytes ??= rendererMemory.peak();
    }
    return result;
  } catch (error) {
    error.peakRendererBytes = rendererMemory.peak();
    throw error;
  } finally {
    rendererMemory.stop();
    for (const error of pageErrors.slice(0, 5)) problems.push(`page error: ${error}`);
    if (pageErrors.length) log(`page errors: ${pageErrors.slice(0, 5).join(' | ')}`);
    await browser.close();
  }
}

function producerConfig(url, overrides) {
  return {
    appInfo: { appName: 'bench', appVersion: '1.0.0' },
    platform: { browserName: 'chromium', browserVersion: '1', osName: 'linux' },
    // TIDAL's submitter reads it unconditionally.
    blockedConsentCategories: { NECESSARY: false, PERFORMANCE: false, TARGETING: false },
    tlConsumerUri: `${url}api/event-batch`,
    tlPublicConsumerUri: `${url}api/public/event-batch`,
    monitoringInterval: NEVER_MS,
    // This package: room for 100k events (~0.85 KB each on disk); TIDAL has no cap.
    maxDiskUsageBytes: 200 * MiB,
    ...overrides,
  };
}

/** This package's queue depth (TIDAL has no way to ask). */
async function queuedEvents(page) {
  return (await page.evaluate(() => window.bench.stats())).queued;
}

// Page errors and incomplete phases, listed in RESULTS.md.
const problems = [];

// --- 1, 3, 6: cost, stored bytes and memory at each queue depth ---------------------

/**
 * One depth, in a fresh browser: reach it, then measure memory (10k and 100k),
 * stored bytes per event, and main-thread cost, in that order (each phase adds
 * its events to the queue; the details list how many).
 *
 * This package reaches the depth through sendEvent (consumer down). TIDAL's
 * sendEvent rewrites its whole queue per event (quadratic: ~25 GB of copies
 * to reach 10k), so its depth is made by writing its stored queue directly
 * and calling init, which restores it: the state sendEvent would have made.
 */
async function measureAtDepth(library, depth) {
  return withFreshBrowser(async ({ server, openPage, reload }) => {
    await server.consumerControl({ mode: 'down' });
    const config = producerConfig(server.url, { eventBatchInterval: NEVER_MS });
    const page = await openPage(library);
    const point = { depth };
    let nextSeq = 0;
    if (library === 'wasm') {
      await page.evaluate((c) => window.bench.init(c), config);
      if (depth > 0) {
        point.fillMs = await page.evaluate((args) => window.bench.fill(args), {
          count: depth,
          firstSeq: 0,
          timeoutMs: 120000,
        });
      }
      point.queuedAtStart = await queuedEvents(page);
    } else {
      if (depth > 0) await page.evaluate((args) => window.bench.storeTidalQueue(args), { count: depth, firstSeq: 0 });
      point.initMs = await page.evaluate((c) => window.bench.init(c), config);
      // What was stored (reading its record back would itself cost seconds at 100k).
      point.queuedAtStart = depth;
    }
    nextSeq += depth;
    log(
      `${library} depth ${depth}: ${point.queuedAtStart} queued${point.fillMs ? ` (filled in ${Math.round(point.fillMs)} ms)` : ''}`,
    );

    if (MEMORY_DEPTHS.includes(depth)) point.memory = await page.evaluate(() => window.bench.memory());

    // Stored bytes per event, and sendEvent → durable at this depth.
    const storedEvents = plan.storedBytesEvents[library](depth);
    await page.evaluate(() => window.bench.countStoredBytes(true));
    await page.evaluate((args) => window.bench.sendPaced(args), {
      count: storedEvents,
      rate: STEADY_RATE,
      firstSeq: nextSeq,
    });
    const latencies = await page.evaluate((args) => window.bench.durableLatencies(args), {
      firstSeq: nextSeq,
      count: storedEvents,
      timeoutMs: depth >= 100000 ? 90000 : 30000,
    });
    const stored = await page.evaluate(() => window.bench.probeReport());
    await page.evaluate(() => window.bench.countStoredBytes(false));
    nextSeq += storedEvents;
    point.storedBytesEvents = storedEvents;
    point.storedBytesPerEvent = stored.putBytes / storedEvents;
    point.putsPerEvent = stored.putCount / storedEvents;
    point.durableAtDepthP50 = percentile(latencies, 0.5);
    point.durableAtDepthP99 = percentile(latencies, 0.99);
    point.notDurable = latencies.filter((l) => l === null).length;

    const cost = await page.evaluate((args) => window.bench.sendCost(args), {
      batches: plan.costBatches[library](depth),
      batchSize: BATCH_SIZE,
      firstSeq: nextSeq,
      timeLimitMs: COST_TIME_LIMIT_MS,
    });
    point.costEvents = cost.sent;
    point.callP50 = percentile(cost.call, 0.5);
    point.callP99 = percentile(cost.call, 0.99);
    point.totalP50 = percentile(cost.total, 0.5);
    point.totalP99 = percentile(cost.total, 0.99);
    log(
      `${library} depth ${depth}: call p50 ${point.callP50.toFixed(2)} µs, with deferred work p50 ` +
        `${point.totalP50.toFixed(1)} µs, ${Math.round(point.storedBytesPerEvent)} B stored/event`,
    );
    if (library === 'wasm' && depth > 0) {
      // Restore at this depth: the same tab, reloaded, finds its stored queue
      // (TIDAL's restore was timed above, when its depth was made).
      await page.evaluate(() => window.bench.flush());
      await reload(page);
      point.initMs = await page.evaluate((c) => window.bench.init(c), config);
      point.restored = (await page.evaluate(() => window.bench.stats())).queued;
      log(`${library} depth ${depth}: init ${point.initMs.toFixed(0)} ms with ${point.restored} restored`);
    }
    return point;
  });
}

// --- 2: sendEvent → durable at a steady 1,000 events/s ---------------------------

/**
 * consumerMode 'down': nothing is delivered, so every event must reach
 * IndexedDB; that is the durability figure. 'up': the realistic case, where
 * an event may be delivered and settled before its group commit, and so never
 * be written at all (it is then counted, not timed).
 */
async function measureDurability(library, consumerMode) {
  return withFreshBrowser(async ({ server, openPage, rendererMemory }) => {
    await server.consumerControl({ mode: consumerMode });
    const page = await openPage(library);
    await page.evaluate((c) => window.bench.init(c), producerConfig(server.url, { eventBatchInterval: 1000 }));
    const { events } = plan.durability;
    const sending = page.evaluate((args) => window.bench.sendPaced(args), {
      count: events,
      rate: STEADY_RATE,
      firstSeq: 0,
    });
    // This package reports a failed IndexedDB sync in getStats().storageError.
    let statsPolls = 0;
    let pollsWithStorageError = 0;
    let sendingDone = false;
    sending.then(
      () => (sendingDone = true),
      () => (sendingDone = true),
    );
    while (library === 'wasm' && !sendingDone) {
      const stats = await page.evaluate(() => window.bench.stats());
      statsPolls++;
      if (stats.storageError) pollsWithStorageError++;
      await new Promise((resolve) => setTimeout(resolve, STATS_POLL_MS));
    }
    const sendingMs = await sending;
    const latencies = await page.evaluate((args) => window.bench.durableLatencies(args), {
      firstSeq: 0,
      count: events,
      timeoutMs: DURABLE_TIMEOUT_MS,
    });
    const written = latencies.filter((l) => l !== null);
    const delivered = consumerMode === 'up' ? (await waitForConsumer(server, events, 10000)).stats.accepted : 0;
    const result = {
      consumerMode,
      events,
      achievedRate: events / (sendingMs / 1000),
      // Down: an event never written is late (∞). Up: timed among the written.
      p50: percentile(consumerMode === 'down' ? latencies : written, 0.5),
      p99: percentile(consumerMode === 'down' ? latencies : written, 0.99),
      max: percentile(consumerMode === 'down' ? latencies : written, 1),
      neverWritten: latencies.length - written.length,
      delivered,
      statsPolls,
      pollsWithStorageError,
      peakRendererBytes: rendererMemory.peak(),
    };
    log(
      `${library} durability, consumer ${consumerMode}: p50 ${result.p50?.toFixed(1)} ms, p99 ${result.p99?.toFixed(1)} ms, ` +
        `${result.neverWritten} never in IndexedDB within ${DURABLE_TIMEOUT_MS / 1000} s` +
        (library === 'wasm' ? `, storageError in ${pollsWithStorageError} of ${statsPolls} getStats polls` : ''),
    );
    return result;
  });
}

// --- 4, 5: init with a stored queue, then drain it ----------------------------------

// How often the durability run reads getStats() for a storage error: each
// read is work for the worker being measured, so not more often than a
// failed write (retried every second) could be missed.
const STATS_POLL_MS = 50;
// How often a run asks the consumer how far it got. The consumer runs in
// this process: asked every 10 ms it took a few % of the drain's throughput
// from the collector it also is. The drain's rate comes from the consumer's
// own receipt times, so this only decides when a run is over.
const CONSUMER_POLL_MS = 50;

async function waitForConsumer(server, accepted, timeoutMs) {
  const start = performance.now();
  for (;;) {
    const stats = await server.consumerStats();
    const now = performance.now();
    if (stats.accepted >= accepted || now - start > timeoutMs) {
      return { stats, endAt: now, complete: stats.accepted >= accepted };
    }
    await new Promise((resolve) => setTimeout(resolve, CONSUMER_POLL_MS));
  }
}

/** Events/s after the first batch, from the consumer's receipt times (ms, in order); null if too few. */
function steadyRate(receipts) {
  if (receipts.length < 2) return null;
  const first = receipts[0];
  const last = receipts.at(-1);
  const afterFirstBatch = receipts.filter((at) => at > first).length;
  return last > first ? afterFirstBatch / ((last - first) / 1000) : null;
}

async function measureDrain(library, maxInFlightBatches) {
  return withFreshBrowser(async ({ server, openPage, reload }) => {
    const { events } = plan.drain;
    const config = producerConfig(server.url, { eventBatchInterval: 1000, maxInFlightBatches });
    await server.consumerControl({ mode: 'down' });
    const page = await openPage(library);
    if (library === 'wasm') {
      await page.evaluate((c) => window.bench.init(c), config);
      const filled = await page.evaluate((args) => window.bench.fill(args), {
        count: events,
        firstSeq: 0,
        timeoutMs: 60000,
      });
      if (filled === null) throw new Error('the queue was not durable within 60 s');
      await reload(page); // same tab: the reloaded page finds its stored queue
    } else {
      await page.evaluate((args) => window.bench.storeTidalQueue(args), { count: events, firstSeq: 0 });
    }
    await server.consumerReset();
    await server.consumerControl({ mode: 'up' });
    const start = performance.now();
    const initMs = await page.evaluate((c) => window.bench.init(c), config);
    // Nothing here waits for a commit: the probe stops searching what the worker writes.
    await page.evaluate(() => window.bench.watchDurable(false));
    const initDone = start + initMs;
    // Sending starts as soon as the queue is restored: what was delivered meanwhile was restored too.
    const restored =
      library === 'wasm'
        ? await page.evaluate(() => window.bench.stats()).then((stats) => stats.queued + stats.delivered)
        : events;
    const drained = await waitForConsumer(server, events, DRAIN_TIMEOUT_MS);
    const accepted = Math.min(events, drained.stats.accepted);
    const result = {
      events,
      maxInFlightBatches: library === 'wasm' ? maxInFlightBatches : 1,
      initMs,
      restored,
      accepted,
      complete: drained.complete,
      duplicates: drained.stats.duplicates ?? null,
      received: drained.stats.received ?? null,
      // Init resolved → every event accepted: includes each library's wait
      // before its first send (TIDAL: its 1 s interval; this package: the
      // backoff left from the failures while the queue was filled).
      endToEndMs: drained.endAt - initDone,
      endToEndRate: accepted / ((drained.endAt - initDone) / 1000),
      // First batch stored → last event stored, by the consumer's clock: the
      // sending throughput itself.
      steadyRate: steadyRate(await server.consumerReceipts()),
    };
    log(
      `${library} drain (${result.maxInFlightBatches} in flight): init ${initMs.toFixed(0)} ms with ${restored} restored, ` +
        `${accepted}/${events} accepted, ${Math.round(result.steadyRate ?? 0)} events/s steady, ${result.duplicates} duplicates`,
    );
    return result;
  });
}

/** The drain's ceiling here: a bare fetch loop in a page (or in a worker), same bodies, no producer. */
async function measureFetchCeiling(parallel, inWorker = false) {
  return withFreshBrowser(async ({ server, openPage }) => {
    const page = await openPage('none');
    const rate = await page.evaluate((args) => window.bench.fetchCeiling(args), {
      count: plan.drain.events,
      parallel,
      url: `${server.url}api/event-batch`,
      inWorker,
    });
    const { accepted } = await server.consumerStats();
    if (accepted !== plan.drain.events)
      throw new Error(`the consumer accepted ${accepted} of ${plan.drain.events} bare-fetch events`);
    log(`bare fetch loop${inWorker ? ' in a worker' : ''}, ${parallel} in flight: ${Math.round(rate)} events/s`);
    return rate;
  });
}

/** This package's breakdown of its last init (getStats().initTimings), or null for TIDAL. */
async function initTimingsOf(page, library) {
  if (library !== 'wasm') return null;
  return (await page.evaluate(() => window.bench.stats()))?.initTimings ?? null;
}

async function measureInitEmpty(library) {
  return withFreshBrowser(async ({ server, openPage }) => {
    await server.consumerControl({ mode: 'up' });
    const times = [];
    const timings = [];
    for (let i = 0; i < plan.initRepetitions; i++) {
      const page = await openPage(library);
      times.push(
        await page.evaluate((c) => window.bench.init(c), producerConfig(server.url, { eventBatchInterval: 1000 })),
      );
      timings.push(await initTimingsOf(page, library));
      await page.close();
    }
    log(`${library} init with nothing stored: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
    return { times, timings };
  });
}

/**
 * init with exactly `count` events stored, in the same tab reloaded
 * plan.initRepetitions times (the first load is also the one that stored
 * them). The consumer stays down, so nothing is sent and every init finds
 * the same queue.
 */
async function measureInitStored(library, count) {
  return withFreshBrowser(async ({ server, openPage, reload }) => {
    const config = producerConfig(server.url, { eventBatchInterval: NEVER_MS });
    await server.consumerControl({ mode: 'down' });
    const page = await openPage(library);
    if (library === 'wasm') {
      await page.evaluate((c) => window.bench.init(c), config);
      const filled = await page.evaluate((args) => window.bench.fill(args), { count, firstSeq: 0, timeoutMs: 60000 });
      if (filled === null) throw new Error('the queue was not durable within 60 s');
    } else {
      await page.evaluate((args) => window.bench.storeTidalQueue(args), { count, firstSeq: 0 });
    }
    const times = [];
    const timings = [];
    const restored = [];
    for (let i = 0; i < plan.initRepetitions; i++) {
      await reload(page);
      times.push(await page.evaluate((c) => window.bench.init(c), config));
      timings.push(await initTimingsOf(page, library));
      restored.push(library === 'wasm' ? (await page.evaluate(() => window.bench.stats())).queued : count);
    }
    log(
      `${library} init with ${count} stored: ${times.map((t) => t.toFixed(0)).join(', ')} ms (restored ${restored.join(', ')})`,
    );
    return { count, times, timings, restored };
  });
}

// --- 7: transfer sizes ------------------------------------------------------------

async function gzippedBytes(path) {
  const bytes = await readFile(join(repository, path));
  return { path, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

async function measureSizes() {
  const wasm = await Promise.all(PACKAGE_FILES.map(gzippedBytes));
  const tidal = await Promise.all(['node_modules/@tidal-music/event-producer/dist/index.js'].map(gzippedBytes));
  const total = (files) => files.reduce((sum, file) => sum + file.gzip, 0);
  return { wasm, tidal, wasmTotal: total(wasm), tidalTotal: total(tidal) };
}

// --- the run ------------------------------------------------------------------------

/** A renderer that runs out of memory ends its scenario, not the run: the result says so. */
async function unlessCrashed(library, what, measure, crashedResult) {
  try {
    return await measure();
  } catch (error) {
    if (!/crash/i.test(String(error?.message ?? error))) throw error;
    const peak = error.peakRendererBytes
      ? ` (its renderer process had reached ${(error.peakRendererBytes / 1024 ** 3).toFixed(1)} GiB)`
      : '';
    problems.push(`${libraries[library]}: the page crashed during ${what}${peak}.`);
    log(`${library}: the page crashed during ${what}${peak}`);
    return { ...crashedResult, crashed: true, peakRendererBytes: error.peakRendererBytes ?? null };
  }
}

function machine() {
  const chromiumVersion = (() => {
    try {
      return execFileSync(chromiumPath, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      return 'unknown';
    }
  })();
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: totalmem() / 1024 ** 3,
    chromium: chromiumVersion,
    node: process.version,
    // Others may use the machine during the run: its load says how busy it was.
    loadAverageAtStart: loadavg()[0],
    quick,
  };
}

async function preflight() {
  for (const file of PACKAGE_FILES) {
    await access(join(repository, file)).catch(() => {
      throw new Error(`${file} is missing: run \`npm run build\` first`);
    });
  }
}

/** For --drain: the drain with 1 in flight and the bare fetch loop, taken in turns, and their ratio. */
async function logDrainBeside() {
  const ratios = { page: [], worker: [] };
  for (let i = 0; i < DRAIN_ONLY_PAIRS; i++) {
    const inPage = await measureFetchCeiling(1);
    const inWorker = await measureFetchCeiling(1, true);
    const { steadyRate } = await measureDrain('wasm', 1);
    ratios.page.push(steadyRate / inPage);
    ratios.worker.push(steadyRate / inWorker);
    log(
      `round ${i + 1}: drain ${Math.round(steadyRate)} events/s; bare fetch ${Math.round(inPage)} in the page, ` +
        `${Math.round(inWorker)} in a worker`,
    );
  }
  const median = (values) => `${(100 * percentile(values, 0.5)).toFixed(1)} %`;
  log(
    `drain ÷ bare fetch, median of ${DRAIN_ONLY_PAIRS}: ${median(ratios.page)} (in the page), ${median(ratios.worker)} (in a worker)`,
  );
}

/** The median of each init step, for --init. */
function logInitBreakdown(results) {
  const median = (values) => percentile(values, 0.5);
  const describe = ({ times, timings }) => {
    const steps = Object.keys(timings.find(Boolean) ?? {});
    const parts = steps.map((step) => `${step} ${median(timings.map((t) => t[step])).toFixed(1)}`);
    return `${median(times).toFixed(1)} ms${parts.length ? ` (${parts.join(', ')})` : ''}`;
  };
  for (const library of Object.keys(libraries)) {
    log(`${library} init, nothing stored: ${describe(results.initEmpty[library])}`);
    for (const stored of results.initStored[library])
      log(`${library} init, ${stored.count} stored: ${describe(stored)}`);
  }
}

async function main() {
  await preflight();
  const started = performance.now();
  const results = { machine: machine(), plan: { ...plan, batchSize: BATCH_SIZE, steadyRate: STEADY_RATE }, libraries };
  log(
    `${quick ? 'quick' : 'full'} run on ${results.machine.cores} × ${results.machine.cpu}, ${results.machine.chromium}`,
  );

  if (drainOnly) {
    await logDrainBeside();
    return;
  }
  results.sizes = await measureSizes();
  results.depths = {};
  results.durability = {};
  results.drain = { wasm: [], wasmParallel: [], tidal: [] };
  results.initEmpty = {};
  results.initStored = {};
  for (const library of Object.keys(libraries)) {
    results.initEmpty[library] = await measureInitEmpty(library);
    results.initStored[library] = [];
    for (const count of plan.initStoredCounts)
      results.initStored[library].push(await measureInitStored(library, count));
  }
  if (initOnly) {
    logInitBreakdown(results);
    return;
  }
  for (const library of Object.keys(libraries)) {
    results.depths[library] = [];
    for (const depth of plan.depths) {
      results.depths[library].push(
        await unlessCrashed(library, `the depth ${depth} measurements`, () => measureAtDepth(library, depth), {
          depth,
          queuedAtStart: depth,
          costEvents: 0,
        }),
      );
    }
  }
  for (const library of Object.keys(libraries)) {
    results.durability[library] = { down: [], up: [] };
    for (const consumerMode of ['down', 'up']) {
      for (let i = 0; i < plan.durability.repetitions[library]; i++) {
        results.durability[library][consumerMode].push(
          await unlessCrashed(
            library,
            `1,000 events/s with the consumer ${consumerMode}`,
            () => measureDurability(library, consumerMode),
            {
              consumerMode,
              events: plan.durability.events,
              p50: Infinity,
              p99: Infinity,
              max: Infinity,
              neverWritten: plan.durability.events,
              delivered: 0,
              statsPolls: 0,
              pollsWithStorageError: 0,
            },
          ),
        );
      }
    }
  }
  const drain = (library, maxInFlightBatches) =>
    unlessCrashed(
      library,
      `the drain (${maxInFlightBatches} in flight)`,
      () => measureDrain(library, maxInFlightBatches),
      {
        events: plan.drain.events,
        maxInFlightBatches,
        initMs: null,
        restored: 0,
        accepted: 0,
        complete: false,
        duplicates: null,
        endToEndMs: null,
        endToEndRate: null,
        steadyRate: null,
      },
    );
  results.fetchCeiling = { one: [], four: [] };
  for (let i = 0; i < plan.drain.repetitions.wasm; i++) {
    results.fetchCeiling.one.push(await measureFetchCeiling(1));
    results.fetchCeiling.four.push(await measureFetchCeiling(4));
    results.drain.wasm.push(await drain('wasm', 1));
    results.drain.wasmParallel.push(await drain('wasm', 4));
    if (i < plan.drain.repetitions.tidal) results.drain.tidal.push(await drain('tidal', 1));
  }
  results.durationS = (performance.now() - started) / 1000;
  results.problems = problems;
  results.machine.loadAverageAtEnd = loadavg()[0];

  await mkdir(join(benchFolder, 'work'), { recursive: true });
  await writeFile(join(benchFolder, 'work', 'results.json'), JSON.stringify(results, null, 2));
  await writeFile(join(benchFolder, 'chart.svg'), renderChart(results));
  // The collector benchmark's section (npm run bench:collector) stays as it was.
  const resultsPath = join(benchFolder, 'RESULTS.md');
  const previous = await readFile(resultsPath, 'utf8').catch(() => '');
  await writeFile(resultsPath, keepingCollectorSection(previous, renderMarkdown(results)));
  const readmePath = join(repository, 'README.md');
  await writeFile(readmePath, withReadmeResults(await readFile(readmePath, 'utf8'), renderResultsTable(results)));
  console.log(renderTerminalTable(results));
  log(`done in ${results.durationS.toFixed(0)} s: bench/RESULTS.md, bench/chart.svg`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`bench: ${error.stack || error}`);
    process.exit(1);
  },
);
