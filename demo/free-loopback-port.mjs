// A TCP port on 127.0.0.1 that nothing listens on now, for servers that must
// be told their port (nats-server) rather than asked for port 0.
import { createServer } from 'node:net';

/** Resolves to a port the system just handed out and released. */
export function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
