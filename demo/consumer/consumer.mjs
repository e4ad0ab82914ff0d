// The reference TL consumer: answers SendMessageBatch requests as the real
// collector does (SQS XML, per-entry results, dedupe by Id), stores what it
// accepts durably, reports counts, and misbehaves on request.
//
// Two kinds of endpoint, two policies. The collector endpoints answer any
// origin, as a real collector must for the producer's POST from any page.
// The inspection and control endpoints (/consumer/*) answer only the
// consumer's own origin and local tools (same-origin.mjs), carry no CORS
// headers, and never show a credential (redaction.mjs).
import { join } from 'node:path';
import { parseSendMessageBatch, entryProblem } from './form-body.mjs';
import { batchResultXml, errorXml } from './sqs-response.mjs';
import { createFileSink } from './file-sink.mjs';
import { SinkUnavailableError } from './event-sink.mjs';
import { Faults, FaultRequestError } from './faults.mjs';
import { readBody } from './request-body.mjs';
import { readControlBody, discardControlBody, ControlBodyError } from './control-body.mjs';
import { crossOriginRefusal } from './same-origin.mjs';
import { redactAuthorizationHeader, redactFormBody, redactHeaders } from './redaction.mjs';

// The TL consumer's (and SQS's) limit of entries per request.
const MAX_ENTRIES = 10;
// Requests kept for byte-for-byte checks (with credentials redacted).
const KEPT_REQUESTS = 200;
// A body larger than SQS's 256 KiB limit is refused.
const MAX_BODY_BYTES = 256 * 1024;
// What a 503 asks the producer to wait when the sink can't be reached: a
// NATS client reconnects within a second and a JetStream cluster elects a new
// stream leader within a few, so 2 s rarely asks twice (the producer waits at
// least 1 s after any failure anyway).
const SINK_RETRY_AFTER_SECONDS = 2;

// The most events one answer of /consumer/events holds, so that no request
// builds an answer the size of the whole store; callers page with `after`.
const MAX_EVENTS_PER_PAGE = 10000;

// The collector endpoints only: the producer posts from pages of any origin.
const COLLECTOR_CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
  'Access-Control-Expose-Headers': 'Retry-After, Date',
};

// The inspection and control endpoints: no CORS at all; not cached, not
// sniffed, and not embeddable by another origin (no <script src> reading).
const INSPECTION_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// Each inspection and control path, and the one method it answers.
const INSPECTION_METHODS = new Map([
  ['/consumer/stats', 'GET'],
  ['/consumer/events', 'GET'],
  ['/consumer/requests', 'GET'],
  ['/consumer/control', 'POST'],
  ['/consumer/reset', 'POST'],
]);

const ENDPOINTS = new Map([
  ['/api/event-batch', 'authenticated'],
  ['/api/public/event-batch', 'public'],
]);

function send(res, status, body, headers = {}) {
  if (res.destroyed) return;
  res.writeHead(status, { Date: new Date().toUTCString(), ...headers });
  res.end(body);
}

const sendXml = (res, status, xml, headers) =>
  send(res, status, xml, { ...COLLECTOR_CORS, 'Content-Type': 'text/xml', ...headers });
const sendJson = (res, status, value, headers) =>
  send(res, status, JSON.stringify(value), { ...INSPECTION_HEADERS, 'Content-Type': 'application/json', ...headers });

/** A query parameter as a whole number ≥ 0, `fallback` when absent, null when it is something else. */
function wholeNumberParameter(url, name, fallback) {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const value = Number(text);
  return /^\d+$/.test(text) && Number.isSafeInteger(value) ? value : null;
}

/**
 * createConsumer({ dataDir, sink, log, hostNames }) → { handle(req, res): Promise<boolean>, stats(), close() }.
 * `handle` answers the collector and /consumer/* paths and returns false for
 * anything else; it never rejects: a failure answers 500. `sink` stores what
 * is accepted (event-sink.mjs; default: the file sink in `dataDir`), and
 * close() closes it. `hostNames` are the names besides addresses and
 * localhost that /consumer/* answers to.
 */
export function createConsumer({
  dataDir = join('demo', 'data', 'consumer'),
  sink = createFileSink(dataDir),
  log = () => {},
  hostNames = [],
} = {}) {
  const faults = new Faults();
  const hanging = new Set();
  let requests = 0;
  let received = 0;
  let duplicates = 0;
  let rejected = 0;
  let recent = [];

  /** This process's counts of requests, and the sink's of what it holds (rejects with SinkUnavailableError). */
  async function stats() {
    const held = await sink.counts();
    return {
      requests,
      received,
      accepted: held.accepted,
      duplicates,
      rejected,
      byName: held.byName,
      authenticated: held.authenticated,
      faults: faults.config,
      sink: sink.description,
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
    const record = {
      path: req.url,
      authorization: redactAuthorizationHeader(authorization),
      contentType: req.headers['content-type'] ?? null,
      body: redactFormBody(text),
      status: 0,
      receivedAt: Date.now(),
    };
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
    if (fault.mode === 'unauthorized') {
      // As TIDAL's API answers an expired or revoked token: JSON with a sub-status.
      record.status = 401;
      const body = JSON.stringify({
        status: 401,
        subStatus: fault.subStatus,
        userMessage: 'injected: the token is not valid',
      });
      return send(res, 401, body, { ...COLLECTOR_CORS, 'Content-Type': 'application/json' });
    }
    if (fault.mode === 'throttle') {
      return reply(429, errorXml('Sender', 'Throttling', 'injected throttling'), {
        'Retry-After': String(fault.retryAfterSeconds),
      });
    }
    if (fault.mode === 'unrelated') {
      record.status = 200;
      return send(res, 200, '<html><body>captive portal</body></html>', {
        ...COLLECTOR_CORS,
        'Content-Type': 'text/html',
      });
    }
    if (fault.mode === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs));

    if (size > MAX_BODY_BYTES)
      return reply(413, errorXml('Sender', 'AWS.SimpleQueueService.BatchRequestTooLong', 'body too large'));
    const entries = parseSendMessageBatch(text);
    if (!entries) return reply(400, errorXml('Sender', 'AWS.SimpleQueueService.EmptyBatchRequest', 'no entries'));
    if (entries.length > MAX_ENTRIES) {
      return reply(
        400,
        errorXml('Sender', 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest', `more than ${MAX_ENTRIES} entries`),
      );
    }
    if (new Set(entries.map((e) => e.id)).size !== entries.length) {
      return reply(
        400,
        errorXml('Sender', 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', 'two entries share an Id'),
      );
    }

    received += entries.length;
    const refused = [];
    const candidates = [];
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
      candidates.push({
        id: entry.id,
        name: entry.name,
        body: entry.body,
        headers: entry.headersText === undefined ? null : redactHeaders(JSON.parse(entry.headersText)),
        authenticated: endpoint === 'authenticated' && !!authorization,
        endpoint,
        receivedAt: Date.now(),
      });
    }
    // The sink resolves once what it reports stored is durable: only then does the confirmation leave.
    const outcomes = candidates.length ? await sink.storeAll(candidates) : [];
    const accepted = [];
    const unavailable = [];
    outcomes.forEach((result, i) => {
      if (result.outcome === 'stored' || result.outcome === 'duplicate') accepted.push(candidates[i]);
      if (result.outcome === 'duplicate') duplicates++;
      if (result.outcome === 'refused') refused.push(result);
      if (result.outcome === 'unavailable') unavailable.push(result);
    });
    rejected += refused.length;
    if (unavailable.length && !accepted.length) {
      // Nothing confirmed: the whole batch comes again after Retry-After.
      log(`consumer: the sink is unavailable: ${unavailable[0].message}`);
      return reply(503, errorXml('Receiver', 'ServiceUnavailable', `the event sink is unavailable`), {
        'Retry-After': String(SINK_RETRY_AFTER_SECONDS),
      });
    }
    // Entries the sink could not be asked about beside confirmed ones: the
    // receiver's fault, so the producer keeps them and sends them again.
    for (const { id, message } of unavailable)
      refused.push({ id, senderFault: false, code: 'ServiceUnavailable', message });
    const stored = outcomes.filter((result) => result.outcome === 'stored').length;
    if (stored) log(`consumer: stored ${stored} event(s)`);
    reply(200, batchResultXml(accepted, refused));
  }

  // ?after=N&limit=M walks the sink from position N; ?last=M gives its M latest events.
  async function showEvents(res, url) {
    if (url.searchParams.has('last')) {
      const last = wholeNumberParameter(url, 'last', 0);
      if (last === null) return sendJson(res, 400, { error: 'last must be a whole number', field: 'last' });
      const limit = Math.max(1, Math.min(MAX_EVENTS_PER_PAGE, last));
      const { end } = await sink.counts();
      return sendJson(res, 200, await sink.page(Math.max(0, end - limit), limit));
    }
    const after = wholeNumberParameter(url, 'after', 0);
    if (after === null) return sendJson(res, 400, { error: 'after must be a whole number', field: 'after' });
    const asked = wholeNumberParameter(url, 'limit', 1000);
    if (asked === null) return sendJson(res, 400, { error: 'limit must be a whole number', field: 'limit' });
    const limit = Math.max(1, Math.min(MAX_EVENTS_PER_PAGE, asked));
    return sendJson(res, 200, await sink.page(after, limit));
  }

  function showRequests(res, url) {
    const asked = wholeNumberParameter(url, 'limit', 20);
    if (asked === null) return sendJson(res, 400, { error: 'limit must be a whole number', field: 'limit' });
    const limit = Math.max(1, Math.min(KEPT_REQUESTS, asked));
    return sendJson(res, 200, { requests: recent.slice(-limit) });
  }

  async function control(req, res) {
    let config;
    try {
      config = faults.set(await readControlBody(req));
    } catch (error) {
      if (error instanceof ControlBodyError || error instanceof FaultRequestError) {
        return sendJson(res, error.status ?? 400, { error: error.message, field: error.field });
      }
      throw error;
    }
    log(`consumer: mode ${config.mode}`);
    return sendJson(res, 200, config);
  }

  async function reset(req, res) {
    try {
      await discardControlBody(req);
    } catch (error) {
      if (error instanceof ControlBodyError)
        return sendJson(res, error.status, { error: error.message, field: error.field });
      throw error;
    }
    await sink.clear();
    faults.reset();
    requests = received = duplicates = rejected = 0;
    recent = [];
    return sendJson(res, 200, await stats());
  }

  async function handleInspection(req, res, url) {
    const refusal = crossOriginRefusal(req, { hostNames });
    if (refusal)
      return sendJson(res, 403, {
        error: `only this consumer's own pages and local tools may use ${url.pathname}: ${refusal}`,
      });
    const method = INSPECTION_METHODS.get(url.pathname);
    if (!method) return sendJson(res, 404, { error: 'unknown consumer path' });
    if (req.method === 'OPTIONS') return send(res, 204, '', { ...INSPECTION_HEADERS, Allow: `${method}, OPTIONS` });
    if (req.method !== method)
      return sendJson(res, 405, { error: `${url.pathname} answers ${method} only` }, { Allow: `${method}, OPTIONS` });
    switch (url.pathname) {
      case '/consumer/stats':
        return sendJson(res, 200, await stats());
      case '/consumer/events':
        return showEvents(res, url);
      case '/consumer/requests':
        return showRequests(res, url);
      case '/consumer/control':
        return control(req, res);
      default:
        return reset(req, res);
    }
  }

  async function handleCollector(req, res, endpoint) {
    if (req.method === 'OPTIONS') return send(res, 204, '', COLLECTOR_CORS);
    if (req.method !== 'POST') return send(res, 405, 'POST only', { ...COLLECTOR_CORS, Allow: 'POST, OPTIONS' });
    return handleBatch(req, res, endpoint);
  }

  // Whatever goes wrong in one request ends that request, never the consumer.
  function answerFailure(res, error, endpoint) {
    if (error instanceof SinkUnavailableError) {
      log(`consumer: the sink is unavailable: ${error.message}`);
      const headers = { 'Retry-After': String(SINK_RETRY_AFTER_SECONDS) };
      if (endpoint) return sendXml(res, 503, errorXml('Receiver', 'ServiceUnavailable', error.message), headers);
      return sendJson(res, 503, { error: `the event sink is unavailable: ${error.message}` }, headers);
    }
    log(`consumer: request failed: ${error?.stack ?? error}`);
    if (res.headersSent || res.destroyed) {
      res.destroy();
    } else if (endpoint) {
      sendXml(res, 500, errorXml('Receiver', 'InternalError', 'the consumer failed to handle the request'));
    } else {
      sendJson(res, 500, { error: 'the consumer failed to handle the request' });
    }
  }

  async function handle(req, res) {
    let url;
    try {
      url = new URL(req.url, 'http://consumer');
    } catch {
      return false; // a request target no path of the consumer's could be
    }
    const endpoint = ENDPOINTS.get(url.pathname);
    if (!endpoint && !url.pathname.startsWith('/consumer/')) return false;
    try {
      if (endpoint) await handleCollector(req, res, endpoint);
      else await handleInspection(req, res, url);
    } catch (error) {
      answerFailure(res, error, endpoint);
    }
    return true;
  }

  async function close() {
    for (const res of hanging) res.destroy();
    hanging.clear();
    await sink.close();
  }

  return { handle, stats, close };
}
