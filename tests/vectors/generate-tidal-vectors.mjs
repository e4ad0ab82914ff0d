// Generates tests/vectors/tidal-vectors.json: what the real
// @tidal-music/event-producer stores and sends, captured in headless Chromium,
// so the C++ core can be proven byte-equal without a browser at test time.
//
//   node tests/vectors/generate-tidal-vectors.mjs
//
// The page is made deterministic before the package is imported: ids come
// from a fixed sequence (crypto.randomUUID), time comes from a value the
// scenario sets per event (Date.now, which TrueTime falls back to because its
// ping is made to fail), and fetch is answered locally with an SQS
// SendMessageBatchResponse that confirms every id. Every stored event is
// read from the package's own `persist` messages to its worker, and every
// body from the package's own fetch calls.
import { createServer } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const outputPath = join(here, 'tidal-vectors.json');
// The package's exports hide package.json, so locate it in the project's node_modules.
const packageRoot = join(here, '..', '..', 'node_modules', '@tidal-music', 'event-producer');
const packageJsonPath = join(packageRoot, 'package.json');
const packageDist = join(packageRoot, 'dist');

const OVERALL_TIMEOUT_MS = 60_000;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// What init receives (besides the credentials provider, which lives in the page).
const CONFIG = {
  appInfo: { appName: 'TIDAL Vectors', appVersion: '2025.11.13' },
  platform: { browserName: 'Chrome', browserVersion: '142.0.0.0', osName: 'Linux' },
  tlConsumerUri: 'https://consumer.test/api/event-batch',
  tlPublicConsumerUri: 'https://consumer.test/api/public/event-batch',
};
const EVENT_BATCH_INTERVAL_MS = 200;
// The monitoring timer sends nothing while its counters are empty, so it may
// tick during the scenario; 4 s keeps the one monitoring event the scenario
// provokes at the very end well inside the overall timeout.
const MONITORING_INTERVAL_MS = 4_000;
const FIRST_NOW = 1763000000123;

// ---------------------------------------------------------------------------
// In-page code. These functions are serialised with toString() and run in the
// page, so they must not reference anything outside themselves. Strings with
// lone surrogates are written as escapes in the source for that reason: they
// would not survive the trip through the DevTools protocol as values.

/** Installed before any page script runs, so before the package is imported. */
function installPageStubs() {
  const harness = {
    now: null,            // what Date.now returns while set
    issuedIds: [],        // every id handed out by crypto.randomUUID, in order
    persists: [],         // clones of the queue in every {action:'persist'} message
    posts: [],            // every batch POST the package made
    blockedFetches: [],   // every other fetch (TrueTime's ping), answered with a network error
  };
  Object.defineProperty(window, '__vectorHarness', { value: harness });

  const realDateNow = Date.now.bind(Date);
  Date.now = () => (harness.now ?? realDateNow());

  // UUID-shaped and predictable; hex counter so later ids contain letters too.
  crypto.randomUUID = () => {
    const id = `00000000-0000-4000-8000-${(harness.issuedIds.length + 1).toString(16).padStart(12, '0')}`;
    harness.issuedIds.push(id);
    return id;
  };

  const realPostMessage = Worker.prototype.postMessage;
  Worker.prototype.postMessage = function capturePersist(message, ...rest) {
    // Clone now: the package keeps mutating its queue array afterwards.
    if (message && message.action === 'persist') harness.persists.push(structuredClone(message.events));
    return realPostMessage.call(this, message, ...rest);
  };

  const xmlEscape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  window.fetch = async function captureFetch(input, init = {}) {
    const url = String(input instanceof Request ? input.url : input);
    const method = init.method ?? (input instanceof Request ? input.method : 'GET');
    if (!/^post$/i.test(method)) {
      // TrueTime's ping: failing it keeps TrueTime unsynchronised, so its
      // now() returns Date.now(), which we control.
      harness.blockedFetches.push({ url, method });
      throw new TypeError('network disabled by the vector generator');
    }
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    // What fetch puts on the wire for a URLSearchParams body is exactly its toString().
    const body = String(init.body);
    const ids = [...new URLSearchParams(body)]
      .filter(([key]) => /^SendMessageBatchRequestEntry\.\d+\.Id$/.test(key))
      .map(([, value]) => value);
    harness.posts.push({
      url, method, headers, body, ids,
      bodyType: Object.prototype.toString.call(init.body),
    });
    const entries = ids.map((id, i) => '<SendMessageBatchResultEntry>'
      + `<Id>${xmlEscape(id)}</Id><MessageId>msg-${harness.posts.length}-${i + 1}</MessageId>`
      + '<MD5OfMessageBody>00000000000000000000000000000000</MD5OfMessageBody>'
      + '</SendMessageBatchResultEntry>').join('');
    const xml = '<?xml version="1.0"?>'
      + '<SendMessageBatchResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
      + `<SendMessageBatchResult>${entries}</SendMessageBatchResult>`
      + `<ResponseMetadata><RequestId>req-${harness.posts.length}</RequestId></ResponseMetadata>`
      + '</SendMessageBatchResponse>';
    return new Response(xml, { status: 200, headers: { 'Content-Type': 'text/xml' } });
  };
}

/** Drives the package through every scenario; returns the findings as a JSON string. */
async function runScenario({ moduleUrl, config, eventBatchInterval, monitoringInterval, firstNow }) {
  const harness = window.__vectorHarness;
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  async function waitUntil(check, what, timeoutMs = 5000) {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value) return value;
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  }
  const utf8Length = (s) => new TextEncoder().encode(s).length;
  // The size the package validates: JSON of {headers,id,name} plus the payload string.
  const validationBytes = ({ headers, id, name, payload }) => utf8Length(JSON.stringify({ headers, id, name }) + payload);

  const loggedIn = { clientId: 'vectors-client-id', token: 'eyJ0eXAiOiJKV1QifQ.eyJ1aWQiOjQyfQ.c2ln+/=' };
  const loggedOut = { clientId: 'vectors-client-id' };

  // The package calls getCredentials once per sendEvent (synchronously, inside
  // the call) and once per batch, so switching this variable between calls
  // decides what each of them sees.
  let currentCredentials = loggedIn;
  const credentialsProvider = {
    bus: () => {},
    getCredentials: () => Promise.resolve({ ...currentCredentials }),
  };

  const producer = await import(moduleUrl);
  await producer.init({
    ...config,
    blockedConsentCategories: { NECESSARY: false, PERFORMANCE: false, TARGETING: false },
    credentialsProvider,
    eventBatchInterval,
    monitoringInterval,
  });

  let stepIndex = 0;
  const nextNow = () => firstNow + 60_017 * stepIndex++;
  const vectors = [];
  const batches = [];
  const mark = () => ({ ids: harness.issuedIds.length, persists: harness.persists.length, posts: harness.posts.length });
  const describePost = (post) => ({
    ids: post.ids,
    formBody: post.body,
    url: post.url,
    method: post.method,
    contentType: post.headers['content-type'] ?? null,
    authorization: post.headers.authorization ?? null,
    bodyType: post.bodyType,
  });

  // Sends one event with the given credentials and time; returns what the package made of it.
  function sendNow({ title, credentials, event }) {
    currentCredentials = credentials;
    const now = nextNow();
    harness.now = now;
    const before = harness.issuedIds.length;
    const eventJson = JSON.stringify(event);
    producer.sendEvent(event);
    const issued = harness.issuedIds.slice(before);
    if (issued.length > 1) throw new Error(`${title}: more than one id issued`);
    return { title, credentials, id: issued[0] ?? null, now, eventJson };
  }

  function storedEventFor(id, fromPersist) {
    for (let i = fromPersist; i < harness.persists.length; i++) {
      const found = harness.persists[i].find((e) => e.id === id);
      if (found) return { stored: found, persistIndex: i };
    }
    return null;
  }

  function vectorFrom(sent, stored, post) {
    return {
      title: sent.title,
      credentials: sent.credentials,
      id: sent.id,
      now: sent.now,
      eventJson: sent.eventJson,
      storedEvent: stored,
      headersJson: stored ? JSON.stringify(stored.headers) : null,
      validationBytes: stored ? validationBytes(stored) : null,
      dropped: !stored,
      formBody: post ? post.body : null,
      url: post ? post.url : null,
      authorization: post ? (post.headers.authorization ?? null) : null,
    };
  }

  // One event, then its own batch: the scheduler posts a batch holding just it.
  async function single(step) {
    const marks = mark();
    const sent = sendNow(step);
    // sendEvent's work is microtasks only (the provider resolves at once), so
    // after one timer turn it has either queued the event or dropped it.
    await sleep(20);
    const found = sent.id && storedEventFor(sent.id, marks.persists);
    if (!found) {
      // Give a late persist or post every chance to show up before calling it dropped.
      await sleep(eventBatchInterval + 100);
      if (harness.persists.length !== marks.persists || harness.posts.length !== marks.posts) {
        throw new Error(`${step.title}: looked dropped but the queue changed`);
      }
      vectors.push({ ...vectorFrom(sent, null, null), expectedDropped: !!step.expectDropped, deviatesFromSpec: step.deviatesFromSpec });
      return vectors.at(-1);
    }
    const post = await waitUntil(
      () => harness.posts.slice(marks.posts).find((p) => p.ids.includes(sent.id)), `the batch of ${step.title}`);
    await waitUntil(
      () => harness.persists.slice(found.persistIndex + 1).some((events) => events.length === 0), `the ack of ${step.title}`);
    if (post.ids.length !== 1) throw new Error(`${step.title}: batch held ${post.ids.length} events`);
    vectors.push({ ...vectorFrom(sent, found.stored, post), expectedDropped: !!step.expectDropped, deviatesFromSpec: step.deviatesFromSpec });
    return vectors.at(-1);
  }

  // Several events sent in one synchronous block: no scheduler tick can run
  // in between, so the next tick finds them all in the queue.
  async function together(title, steps, batchCredentials) {
    const marks = mark();
    const sentList = steps.map((step) => sendNow(step));
    currentCredentials = batchCredentials;
    await sleep(20);
    const found = sentList.map((sent) => {
      const f = storedEventFor(sent.id, marks.persists);
      if (!f) throw new Error(`${title}: ${sent.title} was not queued`);
      return f;
    });
    const allIds = sentList.map((s) => s.id);
    await waitUntil(() => {
      const posted = new Set(harness.posts.slice(marks.posts).flatMap((p) => p.ids));
      return allIds.every((id) => posted.has(id));
    }, `the batches of ${title}`);
    const lastQueued = Math.max(...found.map((f) => f.persistIndex));
    await waitUntil(() => harness.persists.slice(lastQueued + 1).some((events) => events.length === 0), `the ack of ${title}`);
    sentList.forEach((sent, i) => vectors.push({ ...vectorFrom(sent, found[i].stored, null), expectedDropped: false, batchedWith: title }));
    const posts = harness.posts.slice(marks.posts);
    posts.forEach((post, i) => batches.push({
      title: posts.length > 1 ? `${title} (post ${i + 1} of ${posts.length})` : title,
      batchCredentials,
      ...describePost(post),
    }));
  }

  // --- single events ---------------------------------------------------------
  await single({
    title: 'plain ASCII event, NECESSARY, logged in',
    credentials: loggedIn,
    event: { name: 'playback_session', consentCategory: 'NECESSARY', payload: { sessionId: 'abc-123', trackId: 12345, action: 'play' } },
  });
  await single({
    title: 'accents and CJK in name and payload, PERFORMANCE',
    credentials: loggedIn,
    event: {
      name: 'écoute_音楽', consentCategory: 'PERFORMANCE',
      payload: { title: 'Café Olé — Ünïcödé', artist: '坂本龍一', korean: '음악', russian: 'Привет', mixed: 'naïve façade' },
    },
  });
  await single({
    title: 'emoji outside the BMP (surrogate pairs), TARGETING, logged out',
    credentials: loggedOut,
    event: {
      name: 'reaction', consentCategory: 'TARGETING',
      payload: { reaction: '🎵🔥👍🏽', flag: '🇳🇴', family: '👨‍👩‍👧', math: '𝄞𝔸' },
    },
  });
  await single({
    title: 'numbers of every shape, booleans, null, nested objects and arrays',
    credentials: loggedIn,
    event: {
      name: 'numbers', consentCategory: 'PERFORMANCE',
      payload: {
        int: 42, zero: 0, negativeZero: -0, negative: -17, float: 0.1, sum: 0.1 + 0.2, third: 1 / 3,
        wholeFloat: 5.0, e20: 1e20, e21: 1e21, e21Negative: -1e21, bigLiteral: 123456789012345678901234567890,
        small: 1.5e-7, smallNegative: -1.5e-7, micro: 0.000001, belowMicro: 0.0000001, tinyFraction: 1.23e-18,
        maxSafe: 9007199254740991, beyondSafe: 9007199254740993, maxDouble: 1.7976931348623157e308, minDouble: 5e-324,
        notANumber: NaN, infinity: Infinity,
        yes: true, no: false, nothing: null,
        nested: { list: [1, -2, 3.5, [true, false, null], {}, [], { deep: { deeper: [0.5] } }], empty: {} },
      },
    },
  });
  await single({
    title: 'caller headers override defaults (client-id, app-name) in place and add string and non-string values',
    credentials: loggedIn,
    event: {
      name: 'with_headers', consentCategory: 'NECESSARY', payload: { ok: true },
      headers: {
        'x-trace': 'trace-1', 'client-id': 'caller-client', 'app-name': 'Caller App',
        'x-count': 3, 'x-flag': true, 'x-null': null, 'x-object': { a: 1, b: [2, '3'] }, 'x-undefined': undefined,
        'X-Upper': 'kept as written',
      },
    },
  });
  await single({
    title: 'caller authorization header replaces the token in the headers, not the Bearer of the request',
    credentials: loggedIn,
    event: { name: 'caller_authorization', consentCategory: 'NECESSARY', payload: {}, headers: { authorization: 'caller-token' } },
  });
  await single({
    title: 'logged out: public URL, no authorization header',
    credentials: loggedOut,
    event: { name: 'anonymous_view', consentCategory: 'NECESSARY', payload: { page: '/home' } },
  });
  await single({
    title: 'empty-string token counts as logged out',
    credentials: { clientId: 'vectors-client-id', token: '' },
    event: { name: 'empty_token', consentCategory: 'PERFORMANCE', payload: { page: '/album/1' } },
  });
  await single({
    title: 'credentials without clientId: client-id becomes clientIDMissing!',
    credentials: {},
    event: { name: 'no_client_id', consentCategory: 'NECESSARY', payload: { page: '/search' } },
  });
  await single({
    title: 'extra top-level fields (group, version, extras) pass through in the event\'s key order',
    credentials: loggedIn,
    event: {
      group: 'playback', name: 'progress', version: 2, consentCategory: 'PERFORMANCE',
      payload: { position: 30.5 }, extras: { source: 'queue' },
    },
  });
  await single({
    title: 'caller ts and uuid keep their key position and are overwritten; nested ones are untouched',
    credentials: loggedIn,
    event: {
      ts: 1, name: 'with_ts_uuid', uuid: 'caller-uuid', consentCategory: 'NECESSARY',
      payload: { ts: 'inner ts stays', uuid: 'inner uuid stays' },
    },
  });
  await single({
    title: 'integer-like keys come first in ascending order (array indices up to 4294967294 only)',
    credentials: loggedIn,
    event: {
      name: 'integer_keys', 7: 'seven', consentCategory: 'TARGETING',
      payload: {
        b: 1, 2: 2, a: 3, 10: 10, '-1': 'negative is a string key', '01': 'leading zero is a string key',
        '1.5': 'decimal is a string key', 4294967295: 'beyond array index', 4294967294: 'last array index', 0: 'zero',
      },
      headers: { 'x-b': 'b', 3: 'three', 1: 'one' },
    },
  });
  await single({
    title: 'form-encoding and JSON-escaping specials: + & = % space, CR LF tab, quotes, backslash, reserved',
    credentials: loggedIn,
    event: {
      name: 'form specials & = + %', consentCategory: 'PERFORMANCE',
      payload: {
        query: 'a+b & c=d % 100', spaces: '  two  spaces ', newlines: 'line1\nline2\r\nline3', tab: 'col1\tcol2',
        quotes: '"double" \'single\' `back`', backslash: 'C:\\path\\to /slash', angle: '<tag attr="x">&amp;</tag>',
        unreserved: "~*-._!'()", percentLooking: '%41%zz%', reserved: ':/?#[]@$,;', asciiPunctuation: '{}|^',
        lineSeparators: '\u2028\u2029', delAndC1: '\u007f\u0080\u009f',
      },
    },
  });
  // Outside XML 1.0 Char, so the spec says drop; the package validates the
  // JSON text, where JSON.stringify has already escaped them, and keeps them.
  await single({
    title: 'C0 control characters (U+0000..U+001F) are kept, escaped by JSON.stringify (\\b \\f short forms)',
    credentials: loggedIn,
    deviatesFromSpec: 'the spec drops characters outside XML 1.0 Char; the package checks the JSON text, where they are escapes',
    event: {
      name: 'controls', consentCategory: 'NECESSARY',
      payload: { controls: '\u0000\u0001\u0008\u000b\u000c\u001f', named: '\b\f\n\r\t' },
    },
  });
  await single({
    title: 'noncharacters U+FFFE and U+FFFF are kept and sent raw (not escaped by JSON.stringify)',
    credentials: loggedIn,
    deviatesFromSpec: 'the spec drops characters outside XML 1.0 Char; the package only checks UTF-16 well-formedness',
    event: { name: 'noncharacters', consentCategory: 'NECESSARY', payload: { noncharacters: '\uFFFE\uFFFF' } },
  });
  await single({
    title: 'empty payload object',
    credentials: loggedIn,
    event: { name: 'empty_payload', consentCategory: 'NECESSARY', payload: {} },
  });
  await single({
    title: 'payload given as a string is embedded as a JSON string',
    credentials: loggedIn,
    event: { name: 'string_payload', consentCategory: 'NECESSARY', payload: '{"already":"json"}' },
  });
  await single({
    title: 'event without payload is sent anyway (strictMode off)',
    credentials: loggedIn,
    event: { name: 'no_payload', consentCategory: 'NECESSARY' },
  });
  await single({
    title: 'unknown consent category is not filtered (fails open)',
    credentials: loggedIn,
    deviatesFromSpec: 'the spec knows three categories; the package sends any other one unfiltered',
    event: { name: 'unknown_category', consentCategory: 'MARKETING', payload: { x: 1 } },
  });
  await single({
    title: 'lone surrogate in the payload: JSON.stringify escapes it, so the well-formedness check passes',
    credentials: loggedIn,
    deviatesFromSpec: 'a lone surrogate is outside XML 1.0 Char; the package escapes it in JSON and keeps the event',
    event: { name: 'lone_surrogate_payload', consentCategory: 'NECESSARY', payload: { broken: 'a\uD800b', low: '\uDC00' } },
  });
  await single({
    title: 'lone surrogate in the name: kept in the store, sent as U+FFFD by the form encoder',
    credentials: loggedIn,
    deviatesFromSpec: 'a lone surrogate is outside XML 1.0 Char; the package escapes it in JSON and keeps the event',
    event: { name: 'bad\uD800name', consentCategory: 'NECESSARY', payload: { ok: true } },
  });
  await single({
    title: 'lone surrogate in a caller header value: escaped in the headers JSON',
    credentials: loggedIn,
    deviatesFromSpec: 'a lone surrogate is outside XML 1.0 Char; the package escapes it in JSON and keeps the event',
    event: { name: 'lone_surrogate_header', consentCategory: 'NECESSARY', payload: {}, headers: { 'x-broken': 'z\uDBFF' } },
  });
  const probe = await single({
    title: 'multibyte payload of about 9 KB is kept (size probe for the boundary vectors)',
    credentials: loggedIn,
    event: { name: 'size_boundary', consentCategory: 'NECESSARY', payload: { filler: '€'.repeat(3000) } },
  });
  // The boundary events differ from the probe only in the filler: same name,
  // headers, credentials, id length and timestamp digits.
  const fillerFor = (targetBytes) => 'x'.repeat(3000 * 3 + (targetBytes - probe.validationBytes));
  await single({
    title: 'validated size 20479 bytes: kept (limit is < 20480)',
    credentials: loggedIn,
    event: { name: 'size_boundary', consentCategory: 'NECESSARY', payload: { filler: fillerFor(20479) } },
  });
  await single({
    title: 'validated size 20480 bytes: dropped',
    credentials: loggedIn,
    expectDropped: true,
    event: { name: 'size_boundary', consentCategory: 'NECESSARY', payload: { filler: fillerFor(20480) } },
  });
  await single({
    title: 'multibyte payload over 20480 UTF-8 bytes but far fewer UTF-16 units: dropped',
    credentials: loggedOut,
    expectDropped: true,
    event: { name: 'oversized_multibyte', consentCategory: 'PERFORMANCE', payload: { filler: '€'.repeat(7000) } },
  });
  await single({
    title: 'caller headers count towards the size limit: dropped',
    credentials: loggedIn,
    expectDropped: true,
    event: { name: 'oversized_headers', consentCategory: 'NECESSARY', payload: {}, headers: { 'x-big': 'h'.repeat(20480) } },
  });

  // --- batches -----------------------------------------------------------------
  await together('three events sent back to back go out in one batch', [
    { title: 'batch of three: first (NECESSARY)', credentials: loggedIn, event: { name: 'batch_a', consentCategory: 'NECESSARY', payload: { n: 1 } } },
    { title: 'batch of three: second (PERFORMANCE, unicode)', credentials: loggedIn, event: { name: 'batch_b', consentCategory: 'PERFORMANCE', payload: { n: 2, text: 'héllo 🎵 & more' } } },
    { title: 'batch of three: third (TARGETING, caller header)', credentials: loggedIn, event: { name: 'batch_c', consentCategory: 'TARGETING', payload: { n: 3 }, headers: { 'x-batch': 'c' } } },
  ], loggedIn);
  await together('twelve events: a batch of ten, then the remaining two at once', Array.from({ length: 12 }, (_, i) => ({
    title: `batch of twelve: event ${i + 1}`,
    credentials: loggedOut,
    event: { name: 'batch_twelve', consentCategory: ['NECESSARY', 'PERFORMANCE', 'TARGETING'][i % 3], payload: { index: i + 1 } },
  })), loggedOut);
  await together('credentials change between sendEvent and the batch: headers keep the old token, URL and Bearer follow the batch', [
    { title: 'mixed batch: sent logged in', credentials: loggedIn, event: { name: 'mixed_login', consentCategory: 'NECESSARY', payload: { state: 'in' } } },
    { title: 'mixed batch: sent logged out', credentials: loggedOut, event: { name: 'mixed_login', consentCategory: 'NECESSARY', payload: { state: 'out' } } },
  ], loggedOut);

  // --- consent filtering and the monitoring event ---------------------------------
  // Last on purpose: the monitoring timer sends nothing while the counters are
  // empty, so this filtered event decides exactly when it takes an id and a time.
  producer.setConsentCategory({ TARGETING: true });
  const filteredMarks = mark();
  const filtered = sendNow({
    title: 'blocked consent category: filtered before an id or time is taken',
    credentials: loggedIn,
    event: { name: 'blocked_targeting', consentCategory: 'TARGETING', payload: { x: 1 } },
  });
  await sleep(20);
  producer.setConsentCategory({ TARGETING: false });
  const consentFiltered = {
    title: filtered.title,
    eventJson: filtered.eventJson,
    idTaken: filtered.id,
    persisted: harness.persists.length !== filteredMarks.persists,
  };
  const monitoringNow = nextNow();
  harness.now = monitoringNow;
  currentCredentials = loggedIn; // to show that monitoring never carries authorization
  const monitoringPost = await waitUntil(
    () => harness.posts.slice(filteredMarks.posts).find((p) => p.body.includes('tep-tl-monitoring')),
    'the monitoring event', monitoringInterval + 3000);
  const monitoring = {
    title: 'monitoring event after one consent-filtered event (validation drops are not counted)',
    credentials: loggedIn,
    id: monitoringPost.ids[0],
    now: monitoringNow,
    ...describePost(monitoringPost),
  };

  return JSON.stringify({
    vectors, batches, consentFiltered, monitoring,
    blockedFetches: harness.blockedFetches,
    issuedIds: harness.issuedIds.length,
  });
}

// ---------------------------------------------------------------------------
// Node side: serve, drive, verify, write.

function startStaticServer() {
  const page = '<!doctype html><meta charset="utf-8"><title>tidal vectors</title>';
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if (path === '/favicon.ico') {
      res.writeHead(204).end(); // keeps a 404 out of the page's console
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    const file = resolve(packageDist, `.${path.replace(/^\/dist/, '')}`);
    if (!path.startsWith('/dist/') || !file.startsWith(packageDist + sep)) {
      res.writeHead(404).end();
      return;
    }
    try {
      const content = await readFile(file);
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(content);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

const DEFAULT_HEADER_KEYS = [
  'app-name', 'app-version', 'browser-name', 'browser-version', 'client-id',
  'consent-category', 'os-name', 'requested-sent-timestamp',
];
// JS objects list array-index keys (canonical integers 0..2^32-2) first, ascending.
const isArrayIndex = (key) => /^(0|[1-9]\d*)$/.test(key) && Number(key) <= 4294967294;
const jsKeyOrder = (keys) => [
  ...keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)),
  ...keys.filter((key) => !isArrayIndex(key)),
];

function expectedHeaderKeys(event, credentials) {
  const keys = [...DEFAULT_HEADER_KEYS];
  if (credentials.token) keys.push('authorization');
  for (const key of Object.keys(event.headers ?? {})) if (!keys.includes(key)) keys.push(key);
  return jsKeyOrder(keys);
}

/** Decodes entry `index` of a SendMessageBatch form body, checking the field order. */
function decodeEntry(formBody, index, entryCount) {
  const fields = [...new URLSearchParams(formBody)];
  if (fields.length !== entryCount * 8) throw new Error(`expected ${entryCount * 8} fields, got ${fields.length}`);
  const prefix = `SendMessageBatchRequestEntry.${index}`;
  const expectedKeys = [
    `${prefix}.Id`, `${prefix}.MessageBody`,
    `${prefix}.MessageAttribute.1.Name`, `${prefix}.MessageAttribute.1.Value.StringValue`, `${prefix}.MessageAttribute.1.Value.DataType`,
    `${prefix}.MessageAttribute.2.Name`, `${prefix}.MessageAttribute.2.Value.DataType`, `${prefix}.MessageAttribute.2.Value.StringValue`,
  ];
  const own = fields.slice((index - 1) * 8, index * 8);
  own.forEach(([key], i) => { if (key !== expectedKeys[i]) throw new Error(`field ${i} is ${key}, expected ${expectedKeys[i]}`); });
  const [id, body, nameKey, name, nameType, headersKey, headersType, headers] = own.map(([, value]) => value);
  if (nameKey !== 'Name' || nameType !== 'String' || headersKey !== 'Headers' || headersType !== 'String') {
    throw new Error('unexpected attribute names or types');
  }
  return { id, body, name, headers };
}

/** Rebuilds a body with Node's own URLSearchParams: an independent check of the encoding. */
function encodeBatch(storedEvents) {
  const form = new URLSearchParams();
  storedEvents.forEach((e, i) => {
    const prefix = `SendMessageBatchRequestEntry.${i + 1}`;
    form.append(`${prefix}.Id`, e.id);
    form.append(`${prefix}.MessageBody`, e.payload);
    form.append(`${prefix}.MessageAttribute.1.Name`, 'Name');
    form.append(`${prefix}.MessageAttribute.1.Value.StringValue`, e.name);
    form.append(`${prefix}.MessageAttribute.1.Value.DataType`, 'String');
    form.append(`${prefix}.MessageAttribute.2.Name`, 'Headers');
    form.append(`${prefix}.MessageAttribute.2.Value.DataType`, 'String');
    form.append(`${prefix}.MessageAttribute.2.Value.StringValue`, JSON.stringify(e.headers));
  });
  return form.toString();
}

function check(condition, message) {
  if (!condition) throw new Error(`verification failed: ${message}`);
}

function verify(result) {
  const byId = new Map();
  for (const v of result.vectors) {
    const where = `"${v.title}"`;
    check(v.dropped === v.expectedDropped, `${where} dropped=${v.dropped}, expected ${v.expectedDropped}`);
    check(typeof v.id === 'string', `${where} has no id`);
    if (v.dropped) continue;
    const event = JSON.parse(v.eventJson);
    const stored = v.storedEvent;
    byId.set(v.id, v);
    check(stored.id === v.id, `${where} stored id`);
    check(stored.name === event.name, `${where} stored name`);
    check(v.headersJson === JSON.stringify(stored.headers), `${where} headersJson`);
    const headers = JSON.parse(v.headersJson);
    check(headers['requested-sent-timestamp'] === v.now, `${where} timestamp header`);
    const keys = Object.keys(headers);
    const expectedKeys = expectedHeaderKeys(event, v.credentials).filter((key) => key in headers);
    check(JSON.stringify(keys) === JSON.stringify(expectedKeys), `${where} header order ${keys} vs ${expectedKeys}`);
    check(v.validationBytes < 20480, `${where} kept although ${v.validationBytes} bytes`);
    // Payload: the event minus consentCategory, then ts and uuid (in place if present).
    const { consentCategory, ...rest } = event;
    check(stored.payload === JSON.stringify({ ...rest, ts: v.now, uuid: v.id }), `${where} payload rebuild`);
    if (v.formBody !== null) {
      const entry = decodeEntry(v.formBody, 1, 1);
      check(entry.id === v.id, `${where} form Id`);
      check(entry.body === stored.payload, `${where} MessageBody === payload`);
      check(entry.headers === v.headersJson, `${where} Headers === headersJson`);
      check(entry.name === stored.name.toWellFormed(), `${where} Name`);
      check(v.formBody === encodeBatch([stored]), `${where} Node re-encoding differs`);
      const token = v.credentials.token;
      check(v.url === (token ? CONFIG.tlConsumerUri : CONFIG.tlPublicConsumerUri), `${where} url`);
      check(v.authorization === (token ? `Bearer ${token}` : null), `${where} authorization`);
    } else {
      check(v.batchedWith, `${where} kept but has no body`);
    }
  }
  for (const b of result.batches) {
    const stored = b.ids.map((id) => byId.get(id)?.storedEvent);
    check(stored.every(Boolean), `batch "${b.title}" holds unknown ids`);
    check(b.ids.length <= 10, `batch "${b.title}" has ${b.ids.length} events`);
    b.ids.forEach((id, i) => {
      const entry = decodeEntry(b.formBody, i + 1, b.ids.length);
      check(entry.id === id && entry.body === stored[i].payload && entry.headers === byId.get(id).headersJson,
        `batch "${b.title}" entry ${i + 1}`);
    });
    check(b.formBody === encodeBatch(stored), `batch "${b.title}" Node re-encoding differs`);
    const token = b.batchCredentials.token;
    check(b.url === (token ? CONFIG.tlConsumerUri : CONFIG.tlPublicConsumerUri), `batch "${b.title}" url`);
    check(b.authorization === (token ? `Bearer ${token}` : null), `batch "${b.title}" authorization`);
  }
  const m = result.monitoring;
  const entry = decodeEntry(m.formBody, 1, 1);
  check(m.url === CONFIG.tlPublicConsumerUri && m.authorization === null, 'monitoring goes public, unauthorised');
  check(!('authorization' in JSON.parse(entry.headers)), 'monitoring headers carry no authorization');
  check(!result.consentFiltered.idTaken && !result.consentFiltered.persisted, 'consent filtering took an id or persisted');
}

/**
 * Strict JSON parsers (nlohmann::json among them) reject a "\ud800" escape
 * that is not half of a pair, so strings holding lone surrogates are written
 * with U+FFFD instead. Only the `event` and `storedEvent` objects can hold
 * them; the exact text survives in eventJson, storedEventJson, headersJson,
 * payload and formBody, where JSON.stringify already escaped it as ASCII.
 */
function wellFormedCopy(value) {
  let changed = false;
  const visit = (v) => {
    if (typeof v === 'string') {
      if (!v.isWellFormed()) changed = true;
      return v.toWellFormed();
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [visit(k), visit(x)]));
    return v;
  };
  const copy = visit(value);
  return { copy, changed };
}

function shape(result) {
  const vectors = result.vectors.map(({ expectedDropped, batchedWith, ...v }) => {
    // The event as passed, as far as JSON carries it (undefined members vanish,
    // NaN becomes null); eventJson is the exact text the page produced.
    const event = wellFormedCopy(JSON.parse(v.eventJson));
    const stored = wellFormedCopy(v.storedEvent);
    const replaced = [event.changed && 'event', stored.changed && 'storedEvent'].filter(Boolean);
    return {
      title: v.title,
      ...(v.deviatesFromSpec ? { deviatesFromSpec: v.deviatesFromSpec } : {}),
      credentials: v.credentials,
      id: v.id,
      now: v.now,
      event: event.copy,
      eventJson: v.eventJson,
      storedEvent: stored.copy,
      ...(replaced.length ? { loneSurrogatesReplacedIn: replaced, storedEventJson: JSON.stringify(v.storedEvent) } : {}),
      headersJson: v.headersJson,
      validationBytes: v.validationBytes,
      dropped: v.dropped,
      formBody: v.formBody,
      url: v.url,
      authorization: v.authorization,
      ...(batchedWith ? { batchedWith } : {}),
    };
  });
  const batches = result.batches.map(({ title, ids, formBody, url, authorization, batchCredentials, method, contentType, bodyType }) => ({
    title, ids, formBody, url, authorization, batchCredentials, method, contentType, bodyType,
  }));
  const monitoringEntry = decodeEntry(result.monitoring.formBody, 1, 1);
  return {
    source: '@tidal-music/event-producer 2.4.1 in headless Chromium',
    generator: 'node tests/vectors/generate-tidal-vectors.mjs',
    config: CONFIG,
    vectors,
    batches,
    consentFiltered: result.consentFiltered,
    monitoring: {
      ...result.monitoring,
      storedEvent: { id: monitoringEntry.id, name: monitoringEntry.name, headersJson: monitoringEntry.headers, payload: monitoringEntry.body },
    },
  };
}

async function main() {
  const installed = JSON.parse(await readFile(packageJsonPath, 'utf8')).version;
  if (installed !== '2.4.1') throw new Error(`expected @tidal-music/event-producer 2.4.1, found ${installed}`);

  const server = await startStaticServer();
  let browser;
  const unexpectedConsole = [];
  const pageErrors = [];
  const timer = setTimeout(() => {
    console.error(`gave up after ${OVERALL_TIMEOUT_MS / 1000} s`);
    browser?.close().catch(() => {});
    server.close();
    process.exit(1);
  }, OVERALL_TIMEOUT_MS);
  timer.unref();
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (msg) => {
      const text = msg.text();
      // Expected noise: TrueTime complains on every now() and logs its failed ping.
      if (/TrueTime is not yet synchronized|network disabled by the vector generator/.test(text)) return;
      unexpectedConsole.push(`${msg.type()}: ${text}`);
    });
    await page.addInitScript(installPageStubs);
    const origin = `http://127.0.0.1:${server.address().port}`;
    await page.goto(`${origin}/`);
    const resultJson = await page.evaluate(
      `(${runScenario.toString()})(${JSON.stringify({
        moduleUrl: `${origin}/dist/index.js`,
        config: CONFIG,
        eventBatchInterval: EVENT_BATCH_INTERVAL_MS,
        monitoringInterval: MONITORING_INTERVAL_MS,
        firstNow: FIRST_NOW,
      })})`,
    );
    const result = JSON.parse(resultJson);
    if (pageErrors.length) throw new Error(`page errors:\n${pageErrors.join('\n')}`);
    verify(result);
    const output = shape(result);
    await writeFile(outputPath, `${JSON.stringify(output, null, 2)}\n`);
    for (const line of unexpectedConsole) console.error(`page ${line}`);
    console.log(`wrote ${outputPath}: ${output.vectors.length} vectors `
      + `(${output.vectors.filter((v) => v.dropped).length} dropped), ${output.batches.length} batches, 1 monitoring event`);
  } finally {
    await browser?.close().catch(() => {});
    server.close();
    clearTimeout(timer);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
