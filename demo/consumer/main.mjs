// The reference consumer alone, without the demo page.
//   node demo/consumer/main.mjs [--port 8787] [--host 127.0.0.1] [--data-dir demo/data/consumer]
//     [--sink file | nats://host:port[,…] [--stream tep-events] [--replicas 1] [--duplicate-window 600]]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createConsumer } from './consumer.mjs';
import { SINK_OPTIONS, SinkOptionError, sinkFromOptions } from './sink-options.mjs';
import { DEFAULT_HOST, hostNamesOf, listeningNotice, urlOfListeningServer } from './listen-address.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: DEFAULT_HOST },
    'data-dir': { type: 'string', default: 'demo/data/consumer' },
    ...SINK_OPTIONS,
  },
});
const log = (line) => console.log(line);
let sink;
try {
  sink = sinkFromOptions(values, { dataDir: values['data-dir'], log });
} catch (error) {
  if (!(error instanceof SinkOptionError)) throw error;
  console.error(`consumer: ${error.message}`);
  process.exit(2);
}
const consumer = createConsumer({
  sink,
  log,
  hostNames: hostNamesOf(values.host),
});
const server = createServer(async (req, res) => {
  if (await consumer.handle(req, res)) return;
  res.writeHead(404);
  res.end();
});
server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  const url = urlOfListeningServer(address);
  console.log(`Consumer at ${url}api/event-batch (stats: ${url}consumer/stats)`);
  console.log(listeningNotice(address));
});
const stop = async () => {
  await consumer.close();
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
