// Bearer tokens never rest in IndexedDB: events sent while logged in are
// stored without their token, and every database of the origin is read back
// to check it is nowhere. The token lives in the worker's memory only; the
// events get it back when they are sent, in this session or after a reload
// whose credentials provider still returns it; when it no longer does, they
// are delivered without it (the logged-out form of their headers), never
// lost. A store the earlier release wrote, tokens inside, is restored and
// rewritten without them. The consumer shows tokens only as
// tokenFingerprint(token).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, sharedBrowser, testConfig, waitFor } from './harness.mjs';
import { producerStats, reloadPage, sendEvents, startedPage, waitForStats } from './producer-page.mjs';
import { tokenFingerprint } from '../../demo/consumer/redaction.mjs';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.token-at-rest-user-42.c2lnbmF0dXJl';
const TOKEN_AFTER_RELOAD = 'eyJhbGciOiJIUzI1NiJ9.token-issued-after-the-reload.c2ln';
const CLIENT_ID = 'token-at-rest';
const EVENTS = 5;

const browser = sharedBrowser(openBrowser);

/** The options that start the producer for the user logged in with `token`. */
const loggedIn = (token) => ({ credentials: { clientId: CLIENT_ID, token } });

/** A new producer page, started with a credentials provider that returns `token`. */
const loggedInPage = (token) => startedPage(browser, testConfig(browser.url), loggedIn(token));

/** Sends EVENTS events named `name`, with the collector down, and waits until they are durable. */
async function storeWhileCollectorDown(page, name) {
  await browser.control({ mode: 'down' });
  await sendEvents(page, name, EVENTS);
  await waitForStats(page, (s) => s.queued >= EVENTS && s.durable, `the ${EVENTS} events durable in IndexedDB`);
}

/**
 * Reads every value and key of every object store of every IndexedDB
 * database of the page's origin, and says which of `needles` occur in them:
 * in strings, and in binary values (the queue's files) read as bytes.
 */
function searchIndexedDb(page, needles) {
  return page.evaluate(async (needles) => {
    const request = (r) =>
      new Promise((resolve, reject) => {
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const found = new Set();
    let values = 0;
    const search = (text) => needles.forEach((needle) => text.includes(needle) && found.add(needle));
    const visit = (value, depth = 0) => {
      if (depth > 20 || value === null || value === undefined) return;
      if (typeof value === 'string') return search(value);
      if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        const bytes =
          value instanceof ArrayBuffer
            ? new Uint8Array(value)
            : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
        let text = '';
        for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
        return search(text);
      }
      if (typeof value === 'object') Object.values(value).forEach((v) => visit(v, depth + 1));
    };
    const databases = await indexedDB.databases();
    for (const { name } of databases) {
      const db = await request(indexedDB.open(name));
      for (const storeName of db.objectStoreNames) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const [keys, all] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
        keys.forEach((key) => visit(key));
        all.forEach((value) => visit(value));
        values += all.length;
      }
      db.close();
    }
    return { databases: databases.map((d) => d.name), values, found: [...found] };
  }, needles);
}

/** Checks that no database of the origin holds a token, and that the search does see the events named `name`. */
async function assertNoTokenAtRest(page, name, tokens) {
  const result = await searchIndexedDb(page, [name, ...tokens]);
  assert.ok(
    result.databases.some((d) => d.startsWith('/tep-store-')),
    `the queue's database among ${result.databases.join(', ')}`,
  );
  assert.ok(result.found.includes(name), `the stored events are among the ${result.values} values read`);
  for (const token of tokens) assert.ok(!result.found.includes(token), 'no token anywhere in IndexedDB');
}

/** Brings the collector back, flushes, and resolves to the EVENTS events named `name` and the requests that carried them. */
async function deliver(page, name) {
  await browser.control({ mode: 'up' });
  await page.evaluate(() => window.producer.flush());
  const events = await waitFor(
    async () => {
      const arrived = (await browser.consumerEvents()).filter((e) => e.name === name);
      return new Set(arrived.map((e) => JSON.parse(e.body).payload.i)).size === EVENTS && arrived;
    },
    { what: `the ${EVENTS} events named ${name} at the consumer` },
  );
  const { requests } = await (await fetch(`${browser.url}consumer/requests?limit=1000`)).json();
  const carrying = requests.filter((r) => r.status === 200 && r.body.includes(`StringValue=${name}&`));
  assert.ok(carrying.length > 0, 'the requests that carried them');
  return { events, requests: carrying };
}

/**
 * Stores EVENTS events named `name` logged in with TOKEN while the collector
 * is down, reloads the page (its worker goes with it), starts the producer
 * again with a provider that returns `tokenAfterReload`, checks that no
 * token is at rest, and delivers: resolves to what deliver() does.
 */
async function storeReloadAndDeliver(name, tokenAfterReload) {
  const page = await loggedInPage(TOKEN);
  await storeWhileCollectorDown(page, name);
  await reloadPage(page, testConfig(browser.url), loggedIn(tokenAfterReload));
  assert.equal((await producerStats(page)).queued, EVENTS, 'every event restored');
  await assertNoTokenAtRest(page, name, [TOKEN, tokenAfterReload]);
  const delivered = await deliver(page, name);
  await page.close();
  return delivered;
}

// CRC-32 as zlib computes it: the checksum of the queue's records.
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * A segment file as the earlier release wrote it (format version 1, see
 * src/event_queue.cpp): one record per event, whose headers hold its token.
 */
function earlierReleaseSegment(events) {
  const u32 = (value) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(value);
    return bytes;
  };
  const string = (text) => Buffer.concat([u32(Buffer.byteLength(text)), Buffer.from(text)]);
  const records = events.map(({ id, name, headers, payload, createdMs }) => {
    const created = Buffer.alloc(8);
    created.writeBigInt64LE(BigInt(createdMs));
    const body = Buffer.concat([Buffer.from([1]), string(id), string(name), string(headers), string(payload), created]);
    return Buffer.concat([u32(body.length), u32(crc32(body)), body]);
  });
  return Buffer.concat([Buffer.from('TEPQ\x01\x01\0\0', 'latin1'), ...records]);
}

/**
 * Kills the page's workers, as a crash would, and puts `bytes` into the
 * store at `path` as the file `name`, in IDBFS's layout.
 */
function putIntoStore(page, path, name, bytes) {
  return page.evaluate(
    ({ path, name, bytes }) => {
      window.crashWorkers();
      return new Promise((resolve, reject) => {
        const open = indexedDB.open(path);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const transaction = db.transaction(['FILE_DATA'], 'readwrite');
          const entry = { timestamp: new Date(), mode: 0o100666, contents: new Uint8Array(bytes) };
          transaction.objectStore('FILE_DATA').put(entry, `${path}/${name}`);
          transaction.oncomplete = () => {
            db.close();
            resolve();
          };
          transaction.onabort = () => reject(transaction.error);
        };
      });
    },
    { path, name, bytes: Array.from(bytes) },
  );
}

test('events sent while logged in with the collector down are stored without the token and arrive with it', async () => {
  const page = await loggedInPage(TOKEN);
  await storeWhileCollectorDown(page, 'at_rest_live');
  await assertNoTokenAtRest(page, 'at_rest_live', [TOKEN]);

  const { events, requests } = await deliver(page, 'at_rest_live');
  for (const event of events) {
    assert.equal(event.headers.authorization, tokenFingerprint(TOKEN));
    assert.equal(event.headers['client-id'], CLIENT_ID);
    assert.equal(event.authenticated, true);
  }
  for (const request of requests) assert.equal(request.authorization, `Bearer ${tokenFingerprint(TOKEN)}`);
  await page.close();
});

test('after a reload, a provider that still returns the token gets the restored events sent with it', async () => {
  const { events, requests } = await storeReloadAndDeliver('at_rest_same_token', TOKEN);
  for (const event of events) assert.equal(event.headers.authorization, tokenFingerprint(TOKEN));
  for (const request of requests) assert.equal(request.authorization, `Bearer ${tokenFingerprint(TOKEN)}`);
});

test('after a reload, a provider that returns another token gets the restored events sent without the old one, none lost', async () => {
  const { events, requests } = await storeReloadAndDeliver('at_rest_new_token', TOKEN_AFTER_RELOAD);
  for (const event of events) {
    assert.equal(event.headers.authorization, undefined, 'the logged-out form of the headers');
    assert.equal(event.headers['client-id'], CLIENT_ID);
  }
  // Never under the token of the moment, which may be another user's: to the
  // public endpoint, without Authorization.
  for (const request of requests) assert.equal(request.authorization, null);
});

test('a store the earlier release wrote, tokens inside, is restored, rewritten without them, and delivered with them', async () => {
  const name = 'at_rest_earlier_release';
  const page = await loggedInPage(TOKEN);
  await browser.control({ mode: 'down' });
  const { storeId } = await producerStats(page);
  const path = `/tep-store-${storeId}`;
  const now = Date.now();
  const headers = JSON.stringify({
    'app-name': 'browser-test',
    'client-id': CLIENT_ID,
    'consent-category': 'NECESSARY',
    'requested-sent-timestamp': now,
    authorization: TOKEN,
  });
  const events = Array.from({ length: EVENTS }, (_, i) => {
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return { id, name, headers, payload: JSON.stringify({ name, payload: { i }, ts: now, uuid: id }), createdMs: now };
  });
  await putIntoStore(page, path, 'seg-0000000000000001.log', earlierReleaseSegment(events));
  assert.ok(
    (await searchIndexedDb(page, [TOKEN])).found.includes(TOKEN),
    'the token is in the store as the earlier release wrote it',
  );

  await reloadPage(page, testConfig(browser.url), loggedIn(TOKEN_AFTER_RELOAD));
  await waitForStats(page, (s) => s.queued === EVENTS && s.durable, 'the restored events durable again');
  await assertNoTokenAtRest(page, name, [TOKEN, TOKEN_AFTER_RELOAD]);

  // The tokens read from the old files are known: the events go as they were stored.
  const delivered = await deliver(page, name);
  for (const event of delivered.events) assert.equal(event.headers.authorization, tokenFingerprint(TOKEN));
  await page.close();
});
