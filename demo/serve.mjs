// Starts the demo: the reference TL consumer and the demo page on one origin.
//   node demo/serve.mjs [--port 8080] [--host 127.0.0.1] [--data-dir demo/data/consumer]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createConsumer } from './consumer/consumer.mjs';
import { DEFAULT_HOST, hostNamesOf, listeningNotice, urlOfListeningServer } from './consumer/listen-address.mjs';
import { staticFiles } from './static-files.mjs';

/**
 * Starts consumer + static files on `host` (loopback unless told otherwise);
 * resolves to { url, server, consumer, close }. `serveFiles` answers file
 * requests (default: the demo's), `headers` go on every response.
 */
export async function startDemoServer({
  port = 8080,
  host = DEFAULT_HOST,
  dataDir,
  quiet = false,
  serveFiles = staticFiles(),
  headers = {},
} = {}) {
  const consumer = createConsumer({
    dataDir,
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
    },
  });
  const demo = await startDemoServer({ port: Number(values.port), host: values.host, dataDir: values['data-dir'] });
  console.log(`Demo running at ${demo.url}  (consumer stats: ${demo.url}consumer/stats). Ctrl-C stops it.`);
  console.log(listeningNotice(demo.server.address()));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await demo.close();
    console.log('Demo stopped.');
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
