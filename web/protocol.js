// The page ⇄ worker protocol, defined once for both sides.
//
// Page → worker requests: { id, action, ...fields }. The worker answers every
// request that has an id with { type: 'reply', id, result } or
// { type: 'reply', id, error: { code, message } }; an unknown action is
// answered with the error code 'unknown_action'.
// Worker → page notices: { type: 'bus', outage }, { type: 'problem', message },
// { type: 'credentials-request', requestId, subStatus }.

export const Action = Object.freeze({
  init: 'init',               // { config, credentials } → restore summary
  events: 'events',           // { events: string[], unserialisable: {name, problem}[] }, no reply
  flush: 'flush',             // → stats, once queued events are durable and a send was attempted
  consent: 'consent',         // { blocked: {PERFORMANCE, TARGETING}, purge }
  credentials: 'credentials', // { requestId, credentials | null, error }: answer to a credentials-request
  stats: 'stats',             // → getStats() result
  pageHidden: 'pageHidden',   // make everything durable now and send a keepalive batch
  online: 'online',           // { online }
  shutdown: 'shutdown',       // → once durable; the worker then stops
});

export const Notice = Object.freeze({
  reply: 'reply',
  bus: 'bus',
  problem: 'problem',
  credentialsRequest: 'credentials-request',
});
