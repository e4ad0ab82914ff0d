// The reference TL consumer: answers SendMessageBatch requests as the real
// collector does (SQS XML, per-entry results, dedupe by Id), stores what it
// accepts durably, reports counts, and misbehaves on request.
import { join } from 'node:path';
import { parseSendMessageBatch, entryProblem } from './form-body.mjs';
import { batchResultXml, errorXml } from './sqs-response.mjs';
import { EventStore } from './event-store.mjs';
import { Faults } from './faults.mjs';

// The TL consumer's (and SQS's) limit of entries per request.
const MAX_ENTRIES = 10;
// Raw requests kept for byte-for-byte checks.
const KEPT_REQUESTS = 200;
// A body larger than SQS's 256 KiB limit is refused.
const MAX_BODY_BYTES = 256 * 1024;

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
  'Access-Control-Expose-Headers': 'Retry-After, Date',
};

const ENDPOINTS = new Map([
  ['/api/event-batch', 'authenticated'],
  ['/api/public/event-batch', 'public'],
]);

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size <= limit + 1) chunks.push(chunk);
    });
    req.on('end', () => resolve({ text: Buffer.concat(chunks).toString('utf8'), size }));
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  if (res.destroyed) return;
  res.writeHead(status, { ...CORS, Date: new Date().toUTCString(), ...headers });
  res.end(body);
}

const sendXml = (res, status, xml, headers) => send(res, status, xml, { 'Content-Type': 'text/xml', ...headers });
const sendJson = (res, status, value) => send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json' });

/**
 * createConsumer({ dataDir, log }) → { handle(req, res): Promise<boolean>, stats(), close() }.
 * `handle` answers the collector and /consumer/* paths and returns false for anything else.
 */
export function createConsumer({ dataDir = join('demo', 'data', 'consumer'), log = () => {} } = {}) {
  const store = new EventStore(dataDir);
  const faults = new Faults();
  const hanging = new Set();
  let requests = 0;
  let received = 0;
  let duplicates = 0;
  let rejected = 0;
  let recent = [];

  function stats() {
    return {
      requests,
      received,
      accepted: store.events.length,
      duplicates,
      rejected,
      byName: { ...store.byName },
      authenticated: store.authenticated,
      faults: faults.config,
    };
  }

  function remember(entry) {
    recent.push(entry);
    if (recent.length > KEPT_REQUESTS) recent = recent.slice(-KEPT_REQUESTS);
  }

  async function handleBatch(req, res, endpoint) {
    const fault = faults.next();
    if (fault.mode === 'down') {
      req.socket.destroy(); // what a refused connection looks like to fetch
      return;
    }
    const { text, size } = await readBody(req, MAX_BODY_BYTES);
    requests++;
    const authorization = req.headers.authorization ?? null;
    const record = { path: req.url, authorization, contentType: req.headers['content-type'] ?? null, body: text, status: 0, receivedAt: Date.now() };
    remember(record);
    const reply = (status, xml, headers) => {
      record.status = status;
      sendXml(res, status, xml, headers);
    };

    if (fault.mode === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (fault.mode === 'error') return reply(fault.status, errorXml('Receiver', 'InternalError', 'injected failure'));
    if (fault.mode === 'throttle') {
      return reply(429, errorXml('Sender', 'Throttling', 'injected throttling'), { 'Retry-After': String(fault.retryAfterSeconds) });
    }
    if (fault.mode === 'unrelated') {
      record.status = 200;
      return send(res, 200, '<html><body>captive portal</body></html>', { 'Content-Type': 'text/html' });
    }
    if (fault.mode === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));

    if (size > MAX_BODY_BYTES) return reply(413, errorXml('Sender', 'AWS.SimpleQueueService.BatchRequestTooLong', 'body too large'));
    const entries = parseSendMessageBatch(text);
    if (!entries) return reply(400, errorXml('Sender', 'AWS.SimpleQueueService.EmptyBatchRequest', 'no entries'));
    if (entries.length > MAX_ENTRIES) {
      return reply(400, errorXml('Sender', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `more than ${MAX_ENTRIES} entries`));
    }
    if (new Set(entries.map((e) => e.id)).size !== entries.length) {
      return reply(400, errorXml('Sender', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'two entries share an Id'));
    }

    received += entries.length;
    const accepted = [];
    const refused = [];
    const fresh = [];
    for (const entry of entries) {
      const problem = entryProblem(entry);
      if (problem) {
        refused.push({ id: entry.id, code: 'InvalidMessageContents', message: problem });
        continue;
      }
      if (fault.mode === 'senderFault' && Math.random() < fault.senderFaultRate) {
        refused.push({ id: entry.id, code: 'InvalidMessageContents', message: 'injected sender fault' });
        continue;
      }
      accepted.push(entry);
      if (store.has(entry.id) || fresh.some((e) => e.id === entry.id)) {
        duplicates++;
        continue;
      }
      fresh.push({
        id: entry.id,
        name: entry.name,
        body: entry.body,
        headers: entry.headersText === undefined ? null : JSON.parse(entry.headersText),
        authenticated: endpoint === 'authenticated' && !!authorization,
        endpoint,
        receivedAt: Date.now(),
      });
    }
    rejected += refused.length;
    store.addAll(fresh); // durable before the confirmation leaves
    if (fresh.length) log(`consumer: stored ${fresh.length} event(s), ${store.events.length} in all`);
    reply(200, batchResultXml(accepted, refused));
  }

  async function handleControl(req, res, url) {
    if (url.pathname === '/consumer/stats' && req.method === 'GET') return sendJson(res, 200, stats());
    if (url.pathname === '/consumer/events' && req.method === 'GET') {
      const after = Math.max(0, Number(url.searchParams.get('after') ?? 0));
      const limit = Math.max(1, Math.min(10000, Number(url.searchParams.get('limit') ?? 1000)));
      const events = store.events.slice(after, after + limit);
      return sendJson(res, 200, { events, next: after + events.length });
    }
    if (url.pathname === '/consumer/requests' && req.method === 'GET') {
      const limit = Math.max(1, Math.min(KEPT_REQUESTS, Number(url.searchParams.get('limit') ?? 20)));
      return sendJson(res, 200, { requests: recent.slice(-limit) });
    }
    if (url.pathname === '/consumer/control' && req.method === 'POST') {
      const { text } = await readBody(req, 64 * 1024);
      try {
        const config = faults.set(text ? JSON.parse(text) : {});
        log(`consumer: mode ${config.mode}`);
        return sendJson(res, 200, config);
      } catch (error) {
        return sendJson(res, 400, { error: error.message });
      }
    }
    if (url.pathname === '/consumer/reset' && req.method === 'POST') {
      store.clear();
      faults.reset();
      requests = received = duplicates = rejected = 0;
      recent = [];
      return sendJson(res, 200, stats());
    }
    return sendJson(res, 404, { error: 'unknown consumer path' });
  }

  async function handle(req, res) {
    const url = new URL(req.url, 'http://consumer');
    const endpoint = ENDPOINTS.get(url.pathname);
    if (!endpoint && !url.pathname.startsWith('/consumer/')) return false;
    if (req.method === 'OPTIONS') {
      send(res, 204, '');
      return true;
    }
    if (endpoint) {
      if (req.method !== 'POST') send(res, 405, 'POST only');
      else await handleBatch(req, res, endpoint);
      return true;
    }
    await handleControl(req, res, url);
    return true;
  }

  async function close() {
    for (const res of hanging) res.destroy();
    hanging.clear();
  }

  return { handle, stats, close };
}
