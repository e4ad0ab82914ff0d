// The collector at scale: the producer in Chromium sends 10,000 events through
// a load balancer to two consumer processes, which publish them to a stream
// with three replicas on a three-node JetStream cluster. Mid-run the node
// leading the stream is killed, as a crash would end it, and started again;
// throughout, the balancer loses some answers, so the producer sends stored
// events again, often to the other consumer. Every event is in the stream
// exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { openBrowser, openProducerPage, testConfig, waitFor } from './harness.mjs';
import { startRoundRobinProxy } from './round-robin-proxy.mjs';
import { startNatsCluster } from '../../demo/local-nats-server.mjs';
import { startCommand } from '../consumer/running-consumer.mjs';
import { streamContents } from '../consumer/stream-contents.mjs';

const TOTAL = 10000;
const STREAM = 'tep-cluster-test';
// The leader is killed once this many events are stored, and started again
// once this many more are: the cluster keeps taking writes with two of three.
const KILL_AT = 2000;
const STORED_WHILE_DOWN = 2000;
// One answer in 100 lost: about ten batches of the run's ~1,000 stored and
// sent again (each re-send waits out the producer's backoff, 1–2 s).
const LOSE_EVERY_NTH_ANSWER = 100;

// A three-node cluster's meta-leader election, from the start of the nodes.
const CLUSTER_READY_TIMEOUT_MS = 30000;

let dataDir;
let cluster;
let consumers = [];
let proxy;
let browser;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'tep-nats-cluster-'));
  cluster = await startNatsCluster({ dataDir });
  const sink = ['--sink', cluster.urls.join(','), '--stream', STREAM, '--replicas', '3'];
  consumers = await Promise.all([0, 1].map(() => startCommand('demo/consumer/main.mjs', ['--port', '0', ...sink])));
  // Both have reached the cluster and the stream exists (created by whichever
  // came first). A new cluster elects its meta leader before it can create a
  // replicated stream, and the consumers retry until it has: on a loaded
  // machine that takes longer than a consumer's start.
  await Promise.all(consumers.map((c) => c.waitForOutput(/publishing to JetStream stream/, CLUSTER_READY_TIMEOUT_MS)));
  proxy = await startRoundRobinProxy(
    consumers.map((c) => c.url),
    { loseEveryNthAnswer: LOSE_EVERY_NTH_ANSWER },
  );
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  for (const consumer of consumers) await consumer.stop();
  await cluster?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The stream's message count and the name of the node that leads it, read from the cluster itself. */
async function streamState() {
  const live = cluster.nodes.filter((node) => node.isRunning()).map((node) => node.url);
  const nc = await connect({ servers: live });
  try {
    const info = await (await jetstreamManager(nc)).streams.info(STREAM);
    return { messages: info.state.messages, leader: info.cluster?.leader };
  } finally {
    await nc.close();
  }
}

const storedAtLeast = (count) => async () => (await streamState().catch(() => ({ messages: -1 }))).messages >= count;

test(`${TOTAL} events through two consumers into a three-node cluster, a node killed mid-run: each stored once`, async () => {
  const started = Date.now();
  const page = await openProducerPage(browser);
  await page.evaluate(
    async (config) => {
      config.credentialsProvider = { bus: () => {}, getCredentials: async () => ({ clientId: 'cluster', token: 't' }) };
      await window.producer.init(config);
    },
    testConfig(browser.url, {
      tlConsumerUri: `${proxy.url}api/event-batch`,
      tlPublicConsumerUri: `${proxy.url}api/public/event-batch`,
      maxInFlightBatches: 2,
    }),
  );
  await page.evaluate((total) => {
    for (let seq = 0; seq < total; seq++)
      window.producer.sendEvent({ name: 'cluster_event', consentCategory: 'NECESSARY', payload: { seq } });
  }, TOTAL);

  await waitFor(storedAtLeast(KILL_AT), { what: `${KILL_AT} events stored`, timeoutMs: 60000 });
  const { messages: storedAtKill, leader } = await streamState();
  const victim = cluster.nodes.find((node) => node.name === leader);
  assert.ok(victim, `the stream has a leader among the nodes (${leader})`);
  await victim.kill();
  await waitFor(storedAtLeast(storedAtKill + STORED_WHILE_DOWN), {
    what: `${STORED_WHILE_DOWN} more events stored with ${victim.name} down`,
    timeoutMs: 90000,
  });
  const storedAtRestart = (await streamState()).messages;
  await victim.start();

  await waitFor(storedAtLeast(TOTAL), {
    what: `${TOTAL} events stored`,
    timeoutMs: 120000,
    explain: () => streamState(),
  });
  // The producer has nothing left: no event waits for a confirmation that would store it twice.
  await waitFor(async () => (await page.evaluate(() => window.producer.getStats())).queued === 0, {
    what: 'the producer queue empty',
    timeoutMs: 60000,
  });

  const held = await streamContents(cluster.urls, STREAM);
  const seqs = new Set(held.map((m) => JSON.parse(m.event.body).payload.seq));
  const msgIds = new Set(held.map((m) => m.msgId));
  const eventIds = new Set(held.map((m) => m.event.id));
  const producerStats = await page.evaluate(() => window.producer.getStats());
  let confirmedAgain = 0;
  for (const consumer of consumers)
    confirmedAgain += (await (await fetch(`${consumer.url}/consumer/stats`)).json()).duplicates;
  console.log(
    `# cluster: ${seqs.size} of ${TOTAL} events stored, ${held.length} messages (${held.length - eventIds.size} stored twice); ` +
      `leader ${victim.name} killed at ${storedAtKill} stored, started again at ${storedAtRestart}; ` +
      `answers by status ${JSON.stringify(proxy.answers)}, ${proxy.lost()} lost; ` +
      `${confirmedAgain} re-sent events confirmed again; ` +
      `${Math.round((Date.now() - started) / 1000)} s`,
  );
  assert.ok(confirmedAgain > 0, 'stored events were sent again (their answers lost)');
  assert.equal(held.length, TOTAL, 'one message per event');
  assert.equal(msgIds.size, TOTAL, 'no message id twice');
  assert.equal(seqs.size, TOTAL, 'every event sent is there');
  for (const message of held) assert.equal(message.msgId, message.event.id);
  const dropped = Object.values(producerStats.counters).flatMap((byName) => Object.values(byName));
  assert.equal(
    dropped.reduce((sum, n) => sum + n, 0),
    0,
    `no event dropped or refused by the producer: ${JSON.stringify(producerStats.counters)}`,
  );
  assert.deepEqual(browser.pageErrors, []);
});
