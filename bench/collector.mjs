// The collector's throughput with each sink: events per second through one
// reference consumer into its JSON-lines file, into one JetStream server, and
// into a three-node JetStream cluster (three replicas); each beside the
// producer's own drain rate into the same consumer. Prints a table and writes
// its section of bench/RESULTS.md.
//   npm run bench:collector            the full run (about 5 minutes here)
//   npm run bench:collector -- --quick fewer, smaller runs; prints, writes nothing
// Needs `npm run build` first (the drain runs the package in Chromium).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNatsCluster, startNatsServer } from '../demo/local-nats-server.mjs';
import { openBrowser, openProducerPage, testConfig, waitFor } from '../tests/browser/harness.mjs';
import { formBody, startCommand } from '../tests/consumer/running-consumer.mjs';
import { withCollectorSection } from './collector-section.mjs';

const quick = process.argv.includes('--quick');
const resultsPath = fileURLToPath(new URL('RESULTS.md', import.meta.url));

// 10,000 events per run, as the package's own drain figure; five runs of the
// consumer alone and three of the drain (a run of it takes a browser) give
// medians that one run slowed by the machine's other work does not decide.
const EVENTS = quick ? 2000 : 10000;
const CONSUMER_RUNS = quick ? 1 : 5;
const DRAIN_RUNS = quick ? 1 : 3;
// The SQS limit, and the producer's batch size: ten entries per request.
const ENTRIES_PER_BATCH = 10;
// Requests in flight from the load generator: 4 is the most one producer
// sends at once (maxInFlightBatches: 4); 32 stands for many browsers at once.
const IN_FLIGHT = [4, 32];
// The producer's drain: as bench/run.mjs measures it, four batches in flight.
const DRAIN_IN_FLIGHT = 4;
// The stored queue's cap: the default 5 MiB holds ~3,000 events; 10,000 need
// ~16 MB (bench/run.mjs gives its queues the same).
const QUEUE_CAP_BYTES = 200 * 1024 * 1024;
// A drain slower than this has failed, not measured anything.
const DRAIN_TIMEOUT_MS = 120000;

// The size of the benchmark's usual event, a playback_session (~0.5 KB):
// the sinks' cost follows the bytes, not the fields.
const EVENT_PADDING = 'x'.repeat(440);

/** An event body of typical size. */
function eventBody(seq) {
  return JSON.stringify({ name: 'playback_session', payload: { seq, padding: EVENT_PADDING } });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const rounded = (value) => Math.round(value).toLocaleString('en-US');
const log = (line) => console.error(`bench: ${line}`);

/** Each sink's consumer, as its own process, with what it needs started: { name, url, stop }. */
const SINKS = [
  {
    name: 'file (JSON lines, fsync per batch)',
    async start(dataDir) {
      const consumer = await startCommand('demo/consumer/main.mjs', ['--port', '0', '--data-dir', dataDir]);
      return { url: consumer.url, stop: () => consumer.stop() };
    },
  },
  {
    name: 'JetStream, one server',
    async start(dataDir) {
      const server = await startNatsServer({ dataDir: join(dataDir, 'nats') });
      const consumer = await startCommand('demo/consumer/main.mjs', ['--port', '0', '--sink', server.url]);
      await consumer.waitForOutput(/publishing to JetStream stream/);
      return { url: consumer.url, stop: async () => (await consumer.stop(), await server.stop()) };
    },
  },
  {
    name: 'JetStream, three-node cluster, 3 replicas',
    async start(dataDir) {
      const cluster = await startNatsCluster({ dataDir: join(dataDir, 'cluster') });
      const sink = ['--sink', cluster.urls.join(','), '--replicas', '3'];
      const consumer = await startCommand('demo/consumer/main.mjs', ['--port', '0', ...sink]);
      await consumer.waitForOutput(/publishing to JetStream stream/);
      return { url: consumer.url, stop: async () => (await consumer.stop(), await cluster.stop()) };
    },
  },
];

const post = (url, path, body) =>
  fetch(`${url}/${path}`, {
    method: 'POST',
    body: JSON.stringify(body ?? {}),
    headers: { 'Content-Type': 'application/json' },
  });

/** Events/s of EVENTS new events posted straight to the consumer, `inFlight` batches at a time. */
async function consumerAlone(url, inFlight, run) {
  const batches = [];
  for (let first = 0; first < EVENTS; first += ENTRIES_PER_BATCH) {
    const entries = [];
    for (let seq = first; seq < Math.min(EVENTS, first + ENTRIES_PER_BATCH); seq++) {
      const id = `${run}-${seq}`;
      entries.push({ id, name: 'playback_session', body: eventBody(seq), headers: '{"client-id":"bench"}' });
    }
    batches.push(formBody(entries));
  }
  let next = 0;
  const send = async () => {
    while (next < batches.length) {
      const body = batches[next++];
      const res = await fetch(`${url}/api/event-batch`, {
        method: 'POST',
        body,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: 'Bearer bench' },
      });
      const xml = await res.text();
      if (res.status !== 200 || xml.includes('<BatchResultErrorEntry>'))
        throw new Error(`the consumer answered ${res.status}: ${xml.slice(0, 300)}`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: inFlight }, send));
  return EVENTS / ((performance.now() - start) / 1000);
}

/**
 * The producer in Chromium draining EVENTS stored events into the consumer:
 * events/s from the first event the consumer stored to the last, by the
 * consumer's receipt times (as bench/run.mjs measures the drain).
 */
async function producerDrain(browser, url) {
  await post(url, 'consumer/reset');
  await post(url, 'consumer/control', { mode: 'down' });
  const config = testConfig(browser.url, {
    tlConsumerUri: `${url}/api/event-batch`,
    tlPublicConsumerUri: `${url}/api/public/event-batch`,
    eventBatchInterval: 1000,
    maxInFlightBatches: DRAIN_IN_FLIGHT,
    maxDiskUsageBytes: QUEUE_CAP_BYTES,
  });
  const start = (page) =>
    page.evaluate(async (c) => {
      c.credentialsProvider = { bus: () => {}, getCredentials: async () => ({ clientId: 'bench', token: 'bench' }) };
      await window.producer.init(c);
    }, config);
  const page = await openProducerPage(browser);
  await start(page);
  await page.evaluate(
    ({ count, padding }) => {
      for (let seq = 0; seq < count; seq++)
        window.producer.sendEvent({
          name: 'playback_session',
          consentCategory: 'NECESSARY',
          payload: { seq, padding },
        });
    },
    { count: EVENTS, padding: EVENT_PADDING },
  );
  await waitFor(
    async () => {
      const stats = await page.evaluate(() => window.producer.getStats());
      return stats.queued === EVENTS && stats.durable;
    },
    { what: 'the queue stored', timeoutMs: 60000 },
  );
  // A fresh start on the stored queue, as bench/run.mjs drains: no backoff left from the outage.
  await page.reload();
  await page.waitForFunction(() => window.producerReady === true);
  await post(url, 'consumer/control', { mode: 'up' });
  await start(page);
  await waitFor(async () => (await (await fetch(`${url}/consumer/stats`)).json()).accepted >= EVENTS, {
    what: `${EVENTS} events at the consumer`,
    timeoutMs: DRAIN_TIMEOUT_MS,
    intervalMs: 200,
  });
  await page.close();
  const receipts = [];
  for (let after = 0; ;) {
    const { events, next } = await (await fetch(`${url}/consumer/events?after=${after}&limit=10000`)).json();
    if (!events.length) break;
    receipts.push(...events.map((e) => e.receivedAt));
    after = next;
  }
  const first = receipts[0];
  const last = receipts.at(-1);
  return receipts.filter((at) => at > first).length / ((last - first) / 1000);
}

async function main() {
  const started = new Date();
  const loadAtStart = loadavg()[0];
  const browser = await openBrowser();
  const rows = [];
  try {
    for (const sink of SINKS) {
      const dataDir = await mkdtemp(join(tmpdir(), 'tep-bench-collector-'));
      const running = await sink.start(dataDir);
      try {
        const row = { name: sink.name, alone: {}, drain: [] };
        for (const inFlight of IN_FLIGHT) {
          row.alone[inFlight] = [];
          for (let run = 0; run < CONSUMER_RUNS; run++) {
            row.alone[inFlight].push(await consumerAlone(running.url, inFlight, `${inFlight}-${run}`));
            log(`${sink.name}: consumer alone, ${inFlight} in flight: ${rounded(row.alone[inFlight].at(-1))} events/s`);
          }
        }
        for (let run = 0; run < DRAIN_RUNS; run++) {
          row.drain.push(await producerDrain(browser, running.url));
          log(`${sink.name}: producer drain: ${rounded(row.drain.at(-1))} events/s`);
        }
        rows.push(row);
      } finally {
        await running.stop();
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }

  const table = [
    `| sink | consumer alone, ${IN_FLIGHT[0]} batches in flight | consumer alone, ${IN_FLIGHT[1]} in flight | the producer's drain in Chromium (${DRAIN_IN_FLIGHT} in flight) |`,
    '|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.name} | ${rounded(median(row.alone[IN_FLIGHT[0]]))} | ${rounded(median(row.alone[IN_FLIGHT[1]]))} | ${rounded(median(row.drain))} |`,
    ),
  ].join('\n');
  console.log(table);
  if (quick) return;

  const runs = rows
    .map(
      (row) =>
        `- ${row.name}: alone, ${IN_FLIGHT[0]} in flight: ${row.alone[IN_FLIGHT[0]].map(rounded).join(', ')}; ` +
        `${IN_FLIGHT[1]} in flight: ${row.alone[IN_FLIGHT[1]].map(rounded).join(', ')}; drain: ${row.drain.map(rounded).join(', ')}`,
    )
    .join('\n');
  const section = `## The collector with each sink

Written by \`npm run bench:collector\` (bench/collector.mjs); the rest of this file by \`npm run bench\`.
Run ${started.toISOString()}, ${Math.round((Date.now() - started) / 1000)} s, on the same machine (${cpus().length} cores;
1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadavg()[0].toFixed(2)} at the end).

Events per second through one reference consumer (its own process, on 127.0.0.1), medians. "Consumer
alone": a Node client posts ${EVENTS.toLocaleString('en-US')} new events in SendMessageBatch requests of
${ENTRIES_PER_BATCH} (~0.5 KB each), ${IN_FLIGHT[0]} or ${IN_FLIGHT[1]} requests at a time, each answered only once the
sink has stored every entry (${CONSUMER_RUNS} runs). "The producer's drain": this package in headless Chromium
sends ${EVENTS.toLocaleString('en-US')} stored events to the same consumer, first to last event stored by the consumer's
clock (${DRAIN_RUNS} runs). The nats-server nodes, the consumer, the load and the browser share the machine's
${cpus().length} cores.

${table}

Every run:
${runs}
`;
  const previous = await readFile(resultsPath, 'utf8');
  await writeFile(resultsPath, withCollectorSection(previous, section));
  log('written to bench/RESULTS.md');
}

await main();
