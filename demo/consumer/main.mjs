// The reference consumer alone, without the demo page.
//   node demo/consumer/main.mjs [--port 8787] [--host 127.0.0.1] [--data-dir demo/data/consumer]
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createConsumer } from './consumer.mjs';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    host: { type: 'string', default: '127.0.0.1' },
    'data-dir': { type: 'string', default: 'demo/data/consumer' },
  },
});
const consumer = createConsumer({ dataDir: values['data-dir'], log: (line) => console.log(line) });
const server = createServer(async (req, res) => {
  if (!(await consumer.handle(req, res))) {
    res.writeHead(404);
    res.end();
  }
});
server.listen(Number(values.port), values.host, () => {
  const { address, port } = server.address();
  console.log(`Consumer at http://${address}:${port}/api/event-batch (stats: /consumer/stats)`);
});
const stop = async () => {
  await consumer.close();
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
