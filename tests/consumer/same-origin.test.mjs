// Who may use /consumer/*: the consumer's own pages and local tools, never
// another web page; while the collector endpoints keep answering any origin.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { entry, postBatch, rawRequest, removeDataDir, startConsumer, temporaryDataDir } from './running-consumer.mjs';

let dataDir;
let running;
beforeEach(async () => {
  dataDir = temporaryDataDir();
  running = await startConsumer({ dataDir, hostNames: ['devbox.test'] });
});
afterEach(async () => {
  await running.stop();
  removeDataDir(dataDir);
});

// What a browser sends from a page of another origin: a site elsewhere, and
// another port of localhost (same site, where other dev servers run).
const ELSEWHERE = { Origin: 'https://pages.example', 'Sec-Fetch-Site': 'cross-site' };
const OTHER_LOCAL_PORT = { Origin: 'http://localhost:3000', 'Sec-Fetch-Site': 'same-site' };
const ownOrigin = () => ({ Origin: running.url, 'Sec-Fetch-Site': 'same-origin' });
const json = { 'Content-Type': 'application/json' };

const faultMode = async () => (await (await fetch(`${running.url}/consumer/stats`)).json()).faults.mode;

test('another origin cannot read /consumer/requests, and the refusal carries no CORS headers', async () => {
  await postBatch(running.url, [entry('private')], { token: 'secret' });
  for (const headers of [ELSEWHERE, OTHER_LOCAL_PORT]) {
    const res = await rawRequest(running.url, { path: '/consumer/requests?limit=5', headers });
    assert.equal(res.status, 403, JSON.stringify(headers));
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.doesNotMatch(res.text, /private/);
  }
});

test('another origin cannot read the stored events or the stats', async () => {
  for (const path of ['/consumer/events?after=0&limit=10', '/consumer/stats']) {
    const res = await rawRequest(running.url, { path, headers: ELSEWHERE });
    assert.equal(res.status, 403, path);
  }
});

test('another origin cannot change the faults through /consumer/control', async () => {
  for (const headers of [ELSEWHERE, OTHER_LOCAL_PORT]) {
    const res = await rawRequest(running.url, {
      method: 'POST',
      path: '/consumer/control',
      headers: { ...headers, ...json },
      body: '{"mode":"down"}',
    });
    assert.equal(res.status, 403, JSON.stringify(headers));
  }
  assert.equal(await faultMode(), 'up');
  assert.equal((await postBatch(running.url, [entry('still-up')])).status, 200);
});

test('another origin cannot reset the store', async () => {
  await postBatch(running.url, [entry('kept')]);
  const res = await rawRequest(running.url, { method: 'POST', path: '/consumer/reset', headers: ELSEWHERE });
  assert.equal(res.status, 403);
  assert.equal((await (await fetch(`${running.url}/consumer/stats`)).json()).accepted, 1);
});

test('a page whose Origin differs from the consumer is refused even when it sends no Sec-Fetch-Site', async () => {
  for (const origin of ['http://127.0.0.1:1', 'null', 'https://pages.example', 'not a url']) {
    const res = await rawRequest(running.url, { path: '/consumer/stats', headers: { Origin: origin } });
    assert.equal(res.status, 403, origin);
  }
});

test('a request naming the consumer by a host name it was not started with is refused, so DNS rebinding cannot pass for its own origin', async () => {
  const { port } = new URL(running.url);
  const rebound = {
    Host: `pages.example:${port}`,
    Origin: `http://pages.example:${port}`,
    'Sec-Fetch-Site': 'same-origin',
  };
  const res = await rawRequest(running.url, { path: '/consumer/requests', headers: rebound });
  assert.equal(res.status, 403);
});

test("the consumer's own pages may use it by address, by localhost and by the host name it was started with", async () => {
  const { port } = new URL(running.url);
  for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `devbox.test:${port}`]) {
    const headers = { Host: host, Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' };
    assert.equal((await rawRequest(running.url, { path: '/consumer/stats', headers })).status, 200, host);
  }
});

test('local tools, which send neither Origin nor Sec-Fetch-Site, may use every /consumer endpoint', async () => {
  assert.equal((await fetch(`${running.url}/consumer/stats`)).status, 200);
  assert.equal((await fetch(`${running.url}/consumer/events?after=0&limit=10`)).status, 200);
  assert.equal((await fetch(`${running.url}/consumer/requests?limit=5`)).status, 200);
  const control = await fetch(`${running.url}/consumer/control`, {
    method: 'POST',
    headers: json,
    body: '{"mode":"down"}',
  });
  assert.equal(control.status, 200);
  assert.equal((await fetch(`${running.url}/consumer/reset`, { method: 'POST' })).status, 200);
});

test("a page of the consumer's own origin may read and control it, and a page the user opened directly may read it", async () => {
  assert.equal(
    (await rawRequest(running.url, { path: '/consumer/stats', headers: { 'Sec-Fetch-Site': 'same-origin' } })).status,
    200,
  );
  assert.equal(
    (await rawRequest(running.url, { path: '/consumer/stats', headers: { 'Sec-Fetch-Site': 'none' } })).status,
    200,
  );
  const res = await rawRequest(running.url, {
    method: 'POST',
    path: '/consumer/control',
    headers: { ...ownOrigin(), ...json },
    body: '{"mode":"down"}',
  });
  assert.equal(res.status, 200);
  assert.equal(await faultMode(), 'down');
});

test('a preflight for /consumer/* is answered without any CORS allow header', async () => {
  const preflight = { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' };
  const foreign = await rawRequest(running.url, {
    method: 'OPTIONS',
    path: '/consumer/control',
    headers: { ...ELSEWHERE, ...preflight },
  });
  assert.equal(foreign.status, 403);
  const own = await rawRequest(running.url, {
    method: 'OPTIONS',
    path: '/consumer/control',
    headers: { ...ownOrigin(), ...preflight },
  });
  for (const res of [foreign, own]) {
    for (const name of Object.keys(res.headers))
      assert.doesNotMatch(name, /^access-control-/, `${res.status}: ${name}`);
  }
});

test('no /consumer response carries a CORS header, and none may be embedded by another origin', async () => {
  for (const path of ['/consumer/stats', '/consumer/events', '/consumer/requests', '/consumer/nothing-here']) {
    const res = await fetch(running.url + path);
    for (const [name] of res.headers) assert.doesNotMatch(name, /^access-control-/, `${path}: ${name}`);
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'same-origin', path);
  }
});

test('the collector endpoints answer a batch and its preflight from any origin with CORS headers', async () => {
  for (const path of ['/api/event-batch', '/api/public/event-batch']) {
    const preflight = await rawRequest(running.url, {
      method: 'OPTIONS',
      path,
      headers: {
        ...ELSEWHERE,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    assert.equal(preflight.status, 204, path);
    assert.equal(preflight.headers['access-control-allow-origin'], '*');
    assert.match(preflight.headers['access-control-allow-headers'], /Authorization/);
    const batch = await postBatch(running.url, [entry(`from-elsewhere${path.length}`)], { path, headers: ELSEWHERE });
    assert.equal(batch.status, 200, path);
    assert.equal(batch.headers.get('access-control-allow-origin'), '*');
    assert.match(batch.headers.get('access-control-expose-headers'), /Retry-After/);
  }
});
