// Debian's nats-server with JetStream on loopback, as the demo, the tests and
// the benchmark run it: one node, or three in a cluster, each with its own
// data folder, each one that can be killed and started again on the same
// ports and data (a node that failed and came back).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort } from './free-loopback-port.mjs';

// Where Debian's nats-server package puts the binary (scripts/setup.sh installs it).
export const NATS_SERVER_PATH = process.env.NATS_SERVER_PATH ?? '/usr/sbin/nats-server';
// A cold start with JetStream recovering a stream of some thousand messages
// takes well under a second here; 15 s leaves room for a busy 2-core machine.
const START_TIMEOUT_MS = 15000;
// The line nats-server logs once it accepts clients.
const READY = /Server is ready/;

/**
 * One nats-server process with JetStream: { name, port, url, storeDir, start(), stop(), kill(), isRunning(), output() }.
 * `start` resolves once it accepts clients; `stop` ends it as an operator
 * would (SIGTERM, JetStream flushes), `kill` as a crash would (SIGKILL).
 * `cluster` is { name, port, routes: [nats://…] } for a node of a cluster.
 */
export function natsServer({ name, port, storeDir, cluster }) {
  mkdirSync(storeDir, { recursive: true });
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, '-n', name];
  if (cluster) {
    args.push('--cluster_name', cluster.name, '--cluster', `nats://127.0.0.1:${cluster.port}`);
    args.push('--routes', cluster.routes.join(','));
  }
  let child = null;
  let log = '';
  const server = {
    name,
    port,
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    output: () => log,
    isRunning: () => child !== null,
    start() {
      if (child) return Promise.resolve();
      const started = spawn(NATS_SERVER_PATH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      // A process that ends without stopping its servers (a test runner
      // ending a failed file) takes them along rather than leave them running.
      const endWithThisProcess = () => started.kill('SIGKILL');
      process.on('exit', endWithThisProcess);
      started.once('exit', () => process.off('exit', endWithThisProcess));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          started.kill('SIGKILL');
          reject(new Error(`nats-server ${name} was not ready in ${START_TIMEOUT_MS} ms:\n${log}`));
        }, START_TIMEOUT_MS);
        const collect = (chunk) => {
          log += chunk;
          if (READY.test(log.slice(-2 * chunk.length - 64))) {
            clearTimeout(timer);
            resolve();
          }
        };
        started.stdout.on('data', collect);
        started.stderr.on('data', collect);
        started.once('error', (error) => {
          clearTimeout(timer);
          child = null;
          reject(
            new Error(`nats-server could not start (${NATS_SERVER_PATH}; npm run setup installs it): ${error.message}`),
          );
        });
        started.once('exit', (code, signal) => {
          clearTimeout(timer);
          if (child === started) child = null;
          reject(new Error(`nats-server ${name} exited (${code ?? signal}) before it was ready:\n${log}`));
        });
      });
    },
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
  function end(signal) {
    const running = child;
    if (!running) return Promise.resolve();
    child = null;
    return new Promise((resolve) => {
      running.once('exit', () => resolve());
      running.kill(signal);
    });
  }
  return server;
}

/** One node with JetStream on a free loopback port, started; data in `dataDir`. */
export async function startNatsServer({ dataDir, port }) {
  const server = natsServer({ name: 'tep-nats', port: port ?? (await freeLoopbackPort()), storeDir: dataDir });
  await server.start();
  return server;
}

/**
 * `size` nodes of one JetStream cluster on free loopback ports, each with a
 * data folder under `dataDir`, all started: { nodes, urls, stop() }.
 */
export async function startNatsCluster({ dataDir, size = 3 }) {
  const ports = [];
  for (let i = 0; i < size; i++) ports.push({ client: await freeLoopbackPort(), cluster: await freeLoopbackPort() });
  const routes = ports.map((p) => `nats://127.0.0.1:${p.cluster}`);
  const nodes = ports.map((p, i) =>
    natsServer({
      name: `tep-nats-${i + 1}`,
      port: p.client,
      storeDir: join(dataDir, `node-${i + 1}`),
      cluster: { name: 'tep', port: p.cluster, routes: routes.filter((_, j) => j !== i) },
    }),
  );
  try {
    await Promise.all(nodes.map((node) => node.start()));
  } catch (error) {
    await Promise.all(nodes.map((node) => node.kill()));
    throw error;
  }
  return {
    nodes,
    urls: nodes.map((node) => node.url),
    stop: () => Promise.all(nodes.map((node) => node.stop())),
  };
}
