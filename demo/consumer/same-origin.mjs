// Who may use the inspection and control endpoints (/consumer/*): the
// consumer's own pages and tools on the developer's machine, never another
// web page the developer happens to have open.
//
// - A request without Origin and without Sec-Fetch-Site comes from a tool
//   (curl, node's fetch in the test harnesses): browsers send at least one
//   of them on every request that could matter here, and pages can't remove
//   them.
// - Sec-Fetch-Site `cross-site` or `same-site` is another page: `same-site`
//   includes every other port of localhost, where the developer's other
//   servers run.
// - An Origin other than the consumer's own is another page.
// - The Host must name this machine by address, `localhost`, or a name the
//   consumer was started with: otherwise a page could rename its own server
//   to 127.0.0.1 through DNS and pass for same-origin.

// `localhost` and its subdomains, which browsers resolve to loopback themselves.
const LOOPBACK_NAME = /^(?:.+\.)?localhost$/;
const IPV4_ADDRESS = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The host name of a Host header (lower case, IPv6 without brackets), or null if it has none. */
function hostNameOf(host) {
  try {
    return new URL(`http://${host}`).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  } catch {
    return null;
  }
}

function isTrustedHostName(name, extraHostNames) {
  if (name === null) return false;
  if (IPV4_ADDRESS.test(name) || name.includes(':')) return true; // an address can't be renamed by DNS
  return LOOPBACK_NAME.test(name) || extraHostNames.includes(name);
}

/** The origin of a request made to `host`, as a browser would spell it. */
function originOfHost(host) {
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return null;
  }
}

/**
 * Why `req` may not use /consumer/*, or null when it may. `hostNames` are
 * extra names (lower case) the consumer answers to, such as the --host it was
 * started with.
 */
export function crossOriginRefusal(req, { hostNames = [] } = {}) {
  const fetchSite = req.headers['sec-fetch-site'];
  if (fetchSite === 'cross-site' || fetchSite === 'same-site') return `a ${fetchSite} request`;
  const host = req.headers.host;
  if (host !== undefined && !isTrustedHostName(hostNameOf(host), hostNames)) {
    return `host '${host}' is not an address or a name this consumer was started with`;
  }
  const origin = req.headers.origin;
  if (origin === undefined) return null;
  let originHost;
  try {
    const url = new URL(origin);
    originHost = url.protocol === 'http:' || url.protocol === 'https:' ? url.host : null;
  } catch {
    originHost = null; // `null` (sandboxed frames, file: pages) and anything unreadable
  }
  if (originHost === null || host === undefined || originHost !== originOfHost(host))
    return `origin '${origin}' is not this consumer's`;
  return null;
}
