// The reference consumer as the tests run it: in this process on a free
// loopback port, or as its own command line (to see that it keeps running and
// what it prints), plus the SendMessageBatch bodies the producer sends.
import { afterEach } from 'node:test';
import { createServer, request } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createConsumer } from '../../demo/consumer/consumer.mjs';

export const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

export function temporaryDataDir() {
  return mkdtempSync(join(tmpdir(), 'consumer-test-'));
}

/** createConsumer behind a plain server on 127.0.0.1; resolves to { url, consumer, stop }. */
export async function startConsumer({ dataDir, ...options }) {
  const consumer = createConsumer({ dataDir, ...options });
  const server = createServer(async (req, res) => {
    if (!(await consumer.handle(req, res))) {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    consumer,
    async stop() {
      await consumer.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// Long enough for a cold `node` start on a busy machine.
const COMMAND_START_TIMEOUT_MS = 10000;

/**
 * Runs `node <script> <args>` from the repository root and waits for the
 * first http:// URL it prints; resolves to { url, output(), hasExited(),
 * waitForOutput(pattern[, timeoutMs]), exited, stop }.
 * `url` is the origin, without a trailing slash.
 */
export function startCommand(script, args) {
  const child = spawn(process.execPath, [script, ...args], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let exitCode = null;
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? signal;
      resolve(exitCode);
    }),
  );
  const collect = (chunk) => {
    output += chunk;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${script} printed no URL in time:\n${output}`)),
      COMMAND_START_TIMEOUT_MS,
    );
    const look = () => {
      const match = /http:\/\/[^\s/]+/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      resolve({
        url: match[0],
        output: () => output,
        hasExited: () => exitCode !== null,
        /** Resolves once the output matches `pattern`; rejects after the start timeout. */
        async waitForOutput(pattern, timeoutMs = COMMAND_START_TIMEOUT_MS) {
          const deadline = Date.now() + timeoutMs;
          while (!pattern.test(output)) {
            if (Date.now() > deadline) throw new Error(`${script} never printed ${pattern}:\n${output}`);
            await new Promise((resolve) => setTimeout(resolve, 10)); // a poll: output arrives in chunks
          }
        },
        exited,
        async stop() {
          if (exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', look);
    exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${script} exited before it printed a URL:\n${output}`));
    });
  });
}

export function removeDataDir(dataDir) {
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * For a test file whose tests each run their own consumer or demo server:
 * this test's data folder (made when first read) and what the test started
 * (`running`, anything with stop()), both gone after each test. Call it once
 * at the top of the file.
 */
export function consumerPerTest() {
  let dataDir;
  let running;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
    if (dataDir) removeDataDir(dataDir);
    dataDir = undefined;
  });
  return {
    get dataDir() {
      dataDir ??= temporaryDataDir();
      return dataDir;
    },
    get running() {
      return running;
    },
    set running(started) {
      running = started;
    },
    /** startConsumer on this test's data folder, with `options` beside it. */
    async inProcess(options = {}) {
      running = await startConsumer({ dataDir: this.dataDir, ...options });
      return running;
    },
    /** startCommand: `node <script> --port 0 --data-dir <this test's folder> <args>`. */
    async command(script, args = []) {
      running = await startCommand(script, ['--port', '0', '--data-dir', this.dataDir, ...args]);
      return running;
    },
  };
}

export function entry(
  id,
  name = 'play',
  body = JSON.stringify({ name, payload: { id } }),
  headers = '{"client-id":"c"}',
) {
  return { id, name, body, headers };
}

/** A SendMessageBatch form body, field for field as the producer builds it. */
export function formBody(entries) {
  const params = new URLSearchParams();
  entries.forEach((e, i) => {
    const p = `SendMessageBatchRequestEntry.${i + 1}`;
    params.append(`${p}.Id`, e.id);
    params.append(`${p}.MessageBody`, e.body);
    params.append(`${p}.MessageAttribute.1.Name`, 'Name');
    params.append(`${p}.MessageAttribute.1.Value.StringValue`, e.name);
    params.append(`${p}.MessageAttribute.1.Value.DataType`, 'String');
    params.append(`${p}.MessageAttribute.2.Name`, 'Headers');
    params.append(`${p}.MessageAttribute.2.Value.DataType`, 'String');
    params.append(`${p}.MessageAttribute.2.Value.StringValue`, e.headers);
  });
  return params.toString();
}

/** POSTs a batch (entries or a ready body) to the collector, as the producer does. */
export function postBatch(url, entries, { token, path = '/api/event-batch', signal, headers = {} } = {}) {
  const all = { 'Content-Type': 'application/x-www-form-urlencoded', ...headers };
  if (token) all.Authorization = `Bearer ${token}`;
  return fetch(url + path, {
    method: 'POST',
    body: typeof entries === 'string' ? entries : formBody(entries),
    headers: all,
    signal,
  });
}

/** POST /consumer/control with a JSON body, as the test harnesses do. */
export function postControl(url, fault, headers = {}) {
  return fetch(`${url}/consumer/control`, {
    method: 'POST',
    body: typeof fault === 'string' ? fault : JSON.stringify(fault),
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/**
 * A request with exactly the headers given (Host, Origin and Sec-Fetch-Site
 * as a browser would send them, which fetch won't let a caller set);
 * resolves to { status, headers, text }.
 */
export function rawRequest(url, { method = 'GET', path = '/', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request(
      { hostname, port, method, path, headers, setHost: !('Host' in headers || 'host' in headers) },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
