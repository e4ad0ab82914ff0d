// Drop-in compatibility: the same consumer script runs once on a page that
// imports @tidal-music/event-producer (2.4.x, from node_modules) and once on a
// page that imports this package; the two deliveries must be the same event
// for event, header for header, body for body (times and ids aside), and the
// bus must carry the same outage messages.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { waitFor } from './harness.mjs';
import { openBrowserUnderTest } from './engines.mjs';
import { trueTimePingAnswer } from './true-time.mjs';

// TIDAL 2.4 sends only on its timer: short, so the test is quick.
const BATCH_INTERVAL_MS = 300;

// TIDAL's package pings api.tidal.com ("TrueTime") and warns on every event
// until it has read a Date header from it: the ping is answered here with
// true-time.mjs's answer, which puts it in its production state. Where the
// driver can't answer requests (WebKit), the browser blocks every host but
// the test server's, and TIDAL's package keeps the local clock; the times it
// sends are left out of the comparison anyway.

/**
 * Runs the scenario of tests/browser/pages/drop-in-scenario.js with one
 * library, on a fresh browser profile and a fresh consumer, and returns what
 * the consumer stored and what the bus carried.
 */
async function deliverScenario(library) {
  const browser = await openBrowserUnderTest();
  try {
    if (browser.has('request-interception')) await browser.answerRequests('https://api.tidal.com/', trueTimePingAnswer);
    const page = await browser.newPage();
    await page.goto(`${browser.url}tests/browser/pages/drop-in-${library}.html`);
    await page.waitForFunction(() => window.dropInReady === true);
    await page.evaluate((options) => window.dropIn.init(options), {
      consumerUrl: browser.url,
      eventBatchInterval: BATCH_INTERVAL_MS,
    });

    const consumerHas = async (names) => {
      const stored = new Set((await browser.consumerEvents()).map((event) => event.name));
      return names.every((name) => stored.has(name));
    };
    const deliverPhase = async (phase) => {
      const names = await page.evaluate((p) => window.dropIn.send(p), phase);
      await page.evaluate(() => window.dropIn.deliver());
      await waitFor(() => consumerHas(names), { what: `${library}: the ${phase} events at the consumer` });
    };

    await deliverPhase('loggedIn');
    // Logged out only once the logged-in events are confirmed, so that no
    // batch straddles the change in either library.
    await page.evaluate(() => window.dropIn.logOut());
    await deliverPhase('loggedOut');

    // A collector answering 503 is an outage for both libraries (TIDAL 2.4
    // flags one only on a non-2xx answer, not on a network error).
    await browser.control({ mode: 'error', status: 503 });
    await page.evaluate(() => window.dropIn.send('outage'));
    await page.evaluate(() => window.dropIn.deliver());
    const busHas = (name) => page.evaluate((n) => window.dropIn.busLogs.busBus.some((m) => m.name === n), name);
    await waitFor(() => busHas('OutageStartError'), { what: `${library}: OutageStartError on the bus` });
    await browser.control({ mode: 'up' });
    await page.evaluate(() => window.dropIn.deliver());
    await waitFor(() => consumerHas(['drop_in_during_outage']), {
      what: `${library}: the event sent during the outage`,
    });
    await waitFor(() => busHas('OutageEndMessage'), { what: `${library}: OutageEndMessage on the bus` });

    // A few more batch intervals: anything sent twice or unasked shows up too.
    await new Promise((resolve) => setTimeout(resolve, 3 * BATCH_INTERVAL_MS));
    return {
      events: await browser.consumerEvents(),
      stats: await browser.consumerStats(),
      busLogs: await page.evaluate(() => window.dropIn.busLogs),
      hasFlush: await page.evaluate(() => window.dropIn.hasFlush),
      pageErrors: await browser.collectPageErrors(),
    };
  } finally {
    await browser.close();
  }
}

/** What must match between the libraries, with the time and the id of each event taken out. */
function comparable(event) {
  const body = JSON.parse(event.body);
  return {
    endpoint: event.endpoint,
    authenticated: event.authenticated,
    headers: Object.fromEntries(
      Object.entries(event.headers).map(([key, value]) => [
        key,
        key === 'requested-sent-timestamp' ? `<${typeof value}>` : value,
      ]),
    ),
    headerOrder: Object.keys(event.headers),
    // The raw text, so that key order, escaping and number formatting count.
    messageBody: event.body
      .replace(`"uuid":${JSON.stringify(event.id)}`, '"uuid":"<entry Id>"')
      .replace(`"ts":${body.ts}`, '"ts":"<time>"'),
    uuidIsEntryId: body.uuid === event.id,
    tsType: typeof body.ts,
  };
}

/** Every field of every event that differs, as readable lines (empty when the deliveries match). */
function differences(tidalEvents, wasmEvents) {
  const byName = (events) => {
    const groups = new Map();
    for (const event of events) groups.set(event.name, [...(groups.get(event.name) ?? []), event]);
    return groups;
  };
  const tidal = byName(tidalEvents);
  const wasm = byName(wasmEvents);
  const lines = [];
  for (const name of new Set([...tidal.keys(), ...wasm.keys()])) {
    const t = tidal.get(name) ?? [];
    const w = wasm.get(name) ?? [];
    if (t.length !== 1 || w.length !== 1) {
      lines.push(`${name}: delivered ${t.length}× by TIDAL, ${w.length}× by this package`);
      continue;
    }
    const expected = comparable(t[0]);
    const actual = comparable(w[0]);
    for (const field of Object.keys(expected)) {
      if (!isDeepStrictEqual(expected[field], actual[field])) {
        lines.push(
          `${name}.${field}: TIDAL ${JSON.stringify(expected[field])} | this package ${JSON.stringify(actual[field])}`,
        );
      }
    }
  }
  return lines;
}

let tidal;
let wasm;
before(async () => {
  tidal = await deliverScenario('tidal');
  wasm = await deliverScenario('wasm');
});

const loggedOutNames = [
  'drop_in_logged_out_necessary',
  'drop_in_logged_out_performance',
  'drop_in_logged_out_targeting',
];
const withoutLoggedOut = (events) => events.filter((event) => !loggedOutNames.includes(event.name));
const onlyLoggedOut = (events) => events.filter((event) => loggedOutNames.includes(event.name));

test('both libraries deliver the same events with the same headers, bodies and endpoints', () => {
  // The scenario ran to the end with both (every phase's events arrived), so
  // a mismatch here is a difference in what was delivered, not a missing run.
  assert.equal(tidal.events.length, 13, 'TIDAL delivered the 13 events of the scenario');
  assert.deepEqual(differences(withoutLoggedOut(tidal.events), withoutLoggedOut(wasm.events)), []);
  assert.deepEqual(wasm.pageErrors, []);
  assert.deepEqual(tidal.pageErrors, []);
});

// TIDAL asks the credentials provider at every sendEvent, so an event sent
// right after a log-out has no authorization header. Kept apart from the
// comparison above so that a failure names this case alone.
test('events sent right after a log-out carry the same headers in both libraries, without the old token', () => {
  assert.equal(onlyLoggedOut(tidal.events).length, 3);
  for (const event of onlyLoggedOut(tidal.events))
    assert.equal(event.headers.authorization, undefined, `TIDAL: ${event.name}`);
  assert.deepEqual(differences(onlyLoggedOut(tidal.events), onlyLoggedOut(wasm.events)), []);
});

test('each delivered MessageBody carries its entry Id as uuid and a numeric ts, in both libraries', () => {
  for (const [library, { events }] of Object.entries({ tidal, wasm })) {
    for (const event of events) {
      const body = JSON.parse(event.body);
      assert.equal(body.uuid, event.id, `${library}: ${event.name}`);
      assert.equal(typeof body.ts, 'number', `${library}: ${event.name}`);
      assert.equal(typeof event.headers['requested-sent-timestamp'], 'number', `${library}: ${event.name}`);
    }
  }
});

test('the logged-in events are authenticated and the logged-out ones are not, in both libraries', () => {
  for (const [library, { events }] of Object.entries({ tidal, wasm })) {
    for (const event of events) {
      const loggedOut = event.name.startsWith('drop_in_logged_out_') || event.name === 'drop_in_during_outage';
      assert.equal(event.authenticated, !loggedOut, `${library}: ${event.name}`);
    }
  }
});

test('the outage start and end reach bus.bus listeners in both libraries, and bus() listeners in this package', () => {
  const outage = [
    { name: 'OutageStartError', errorCode: '1' },
    { name: 'OutageEndMessage', errorCode: null },
  ];
  assert.deepEqual(tidal.busLogs.busBus, outage);
  assert.deepEqual(wasm.busLogs.busBus, outage);
  // TIDAL 2.4's `bus` is a namespace object; this package's is also callable.
  assert.equal(tidal.busLogs.busCall, null);
  assert.deepEqual(wasm.busLogs.busCall, outage);
});

// TIDAL 2.4 may post a batch twice when its timer runs overlap (a known
// weakness), so only this package is held to no re-sends.
test('this package sends no event twice and delivers on flush, where TIDAL 2.4 relies on its timer', () => {
  assert.equal(wasm.stats.duplicates, 0);
  assert.equal(tidal.hasFlush, false, 'TIDAL 2.4 has no flush: its timer delivered everything');
  assert.equal(wasm.hasFlush, true);
});
