// Starts the demo: the reference TL consumer and the demo page on one origin.
//   node demo/serve.mjs [--port 8080] [--host 127.0.0.1] [--data-dir demo/data/consumer]
//     [--sink file | nats | nats://host:port[,…]] (and the other options of consumer/sink-options.mjs)
// `--sink nats` starts a nats-server with JetStream of the demo's own on a
// free loopback port, its data in <data-dir>/nats, and stops it with the demo.
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createConsumer } from './consumer/consumer.mjs';
import { SINK_OPTIONS, SinkOptionError, sinkFromOptions } from './consumer/sink-options.mjs';
import { startNatsServer } from './local-nats-server.mjs';
import { DEFAULT_HOST, hostNamesOf, listeningNotice, urlOfListeningServer } from './consumer/listen-address.mjs';
import { staticFiles } from './static-files.mjs';

/**
 * Starts consumer + static files on `host` (loopback unless told otherwise);
 * resolves to { url, server, consumer, close }. `sink` is where the consumer
 * stores events (default: the file sink in `dataDir`), `serveFiles` answers
 * file requests (default: the demo's), `headers` go on every response.
 */
export async function startDemoServer({
  port = 8080,
  host = DEFAULT_HOST,
  dataDir,
  sink,
  quiet = false,
  serveFiles = staticFiles(),
  headers = {},
} = {}) {
  const consumer = createConsumer({
    dataDir,
    sink,
    log: quiet ? () => {} : (line) => console.log(line),
    hostNames: hostNamesOf(host),
  });
  const server = createServer(async (req, res) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    try {
      if (await consumer.handle(req, res)) return;
      if (await serveFiles(req, res)) return;
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    } catch (error) {
      // A failed request ends that request, never the server.
      if (!quiet) console.error(`demo: request for ${req.url} failed: ${error?.stack ?? error}`);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('the demo server failed to handle the request');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = urlOfListeningServer(server.address());
  const close = async () => {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
    await consumer.close();
  };
  return { url, server, consumer, close };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: process.env.PORT ?? '8080' },
      host: { type: 'string', default: DEFAULT_HOST },
      'data-dir': { type: 'string', default: 'demo/data/consumer' },
      ...SINK_OPTIONS,
    },
  });
  const dataDir = values['data-dir'];
  const log = (line) => console.log(line);
  let natsServer = null;
  let sink;
  try {
    if (values.sink === 'nats') {
      natsServer = await startNatsServer({ dataDir: join(dataDir, 'nats') });
      console.log(`nats-server with JetStream at ${natsServer.url} (data in ${natsServer.storeDir})`);
    }
    sink = sinkFromOptions(values, { dataDir, log, servers: natsServer ? [natsServer.url] : undefined });
  } catch (error) {
    await natsServer?.stop();
    if (!(error instanceof SinkOptionError)) throw error;
    console.error(`demo: ${error.message}`);
    process.exit(2);
  }
  const demo = await startDemoServer({ port: Number(values.port), host: values.host, dataDir, sink });
  console.log(`Demo running at ${demo.url}  (consumer stats: ${demo.url}consumer/stats). Ctrl-C stops it.`);
  console.log(listeningNotice(demo.server.address()));
  if (natsServer) {
    console.log(
      `More consumers on the same stream: node demo/consumer/main.mjs --port 8788 --sink ${natsServer.url} --stream ${values.stream}`,
    );
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    await natsServer?.stop();
    console.log('Demo stopped.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
