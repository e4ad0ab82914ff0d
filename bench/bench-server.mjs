// The benchmark's web server on loopback: the demo server (the reference
// consumer and static files) serving the package (dist/), TIDAL's package
// (node_modules/@tidal-music/) and the bench pages, all on one origin. Every
// response carries COOP/COEP so the pages are cross-origin isolated:
// performance.measureUserAgentSpecificMemory() needs it to report the page's
// and the worker's memory.
import { chromium } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoServer } from '../demo/serve.mjs';
import { staticFiles } from '../demo/static-files.mjs';
import { answerTrueTimePing } from '../tests/browser/true-time.mjs';

// URL prefix → folder of the repository.
const mounts = [
  ['/dist/', 'dist'],
  ['/node_modules/@tidal-music/', 'node_modules/@tidal-music'],
  ['/bench/pages/', 'bench/pages'],
];

const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Starts the server on a free loopback port; resolves to { url, close, consumerStats, consumerReceipts, consumerControl, consumerReset }. */
export async function startBenchServer({ dataDir }) {
  const demo = await startDemoServer({
    port: 0,
    dataDir,
    quiet: true,
    serveFiles: staticFiles(mounts, { index: null }),
    headers: isolationHeaders,
  });
  const { url } = demo;
  const post = async (path, body) => {
    const response = await fetch(url + path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return response.json().catch(() => ({}));
  };
  return {
    url,
    consumerStats: async () => (await fetch(`${url}consumer/stats`)).json(),
    /** When the consumer stored each accepted event (ms since the epoch), in order. */
    async consumerReceipts() {
      const times = [];
      for (let after = 0; ;) {
        const { events, next } = await (await fetch(`${url}consumer/events?after=${after}&limit=10000`)).json();
        if (!events.length) return times;
        for (const event of events) times.push(event.receivedAt);
        after = next;
      }
    },
    consumerControl: (fault) => post('consumer/control', fault),
    consumerReset: () => post('consumer/reset'),
    close: demo.close,
  };
}

/**
 * A fresh consumer (its own data folder) behind the bench server, and headless
 * Chromium on a fresh profile, TIDAL's time ping answered locally; resolves to
 * { server, context, profile, close }, close removing both folders.
 */
export async function openBenchBrowser({ chromiumPath, args }) {
  const dataDir = await mkdtemp(join(tmpdir(), 'tep-bench-consumer-'));
  const profile = await mkdtemp(join(tmpdir(), 'tep-bench-profile-'));
  const server = await startBenchServer({ dataDir });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    args,
    headless: true,
  });
  await context.route('https://api.tidal.com/**', answerTrueTimePing);
  return {
    server,
    context,
    profile,
    async close() {
      await context.close().catch(() => {});
      await server.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
