// Where the consumer listens, said plainly at start: loopback by default, and
// a warning when --host opens it to the network.
import { isIP } from 'node:net';

// Loopback unless told otherwise: the consumer is a development tool, and its
// inspection endpoints answer any local tool that asks.
export const DEFAULT_HOST = '127.0.0.1';

const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export function isLoopbackAddress(address) {
  return address === '::1' || address.startsWith('127.') || address === '::ffff:127.0.0.1';
}

/**
 * The URL to open for a server listening at `address` (from server.address()):
 * IPv6 in brackets, and loopback for a server on every interface.
 */
export function urlOfListeningServer({ address, port }) {
  const reachable = UNSPECIFIED.has(address) ? (address === '::' ? '::1' : '127.0.0.1') : address;
  return `http://${isIP(reachable) === 6 ? `[${reachable}]` : reachable}:${port}/`;
}

/** The line printed at start: the bound address and who can reach it. */
export function listeningNotice({ address, port }) {
  const bound = `${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
  if (isLoopbackAddress(address))
    return `Listening on ${bound}: this machine only (--host 0.0.0.0 shares it on the network).`;
  return (
    `Listening on ${bound}: reachable from the network. Anyone who can reach it can send events and, ` +
    'with a tool such as curl, read what it received and change its faults; web pages of other origins cannot.'
  );
}

/** The names (not addresses) the consumer answers to besides localhost: the --host it was given, if it is one. */
export function hostNamesOf(host) {
  return isIP(host) || UNSPECIFIED.has(host) ? [] : [host.toLowerCase()];
}
