// `npm run demo -- --sink nats` as a user runs it: the demo starts a
// nats-server of its own, the page's delivered count is what the stream
// holds, and stopping the demo stops the server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumArgs, chromiumPath, waitFor } from './harness.mjs';
import { startCommand } from '../consumer/running-consumer.mjs';
import { streamContents } from '../consumer/stream-contents.mjs';

const cleanUp = [];
after(async () => {
  for (const step of cleanUp.reverse()) await step();
});

const number = async (page, selector) => Number((await page.textContent(selector)).replace(/[^0-9]/g, ''));
const accepts = (port) =>
  new Promise((resolve) => {
    const socket = connectTcp(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

test('the demo with --sink nats starts its own nats-server and shows the events the stream holds', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'tep-demo-nats-'));
  cleanUp.push(() => rm(dataDir, { recursive: true, force: true }));
  const demo = await startCommand('demo/serve.mjs', ['--port', '0', '--data-dir', dataDir, '--sink', 'nats']);
  cleanUp.push(() => demo.stop());
  await demo.waitForOutput(/publishing to JetStream stream tep-events/);
  const natsUrl = /nats-server with JetStream at (nats:\/\/127\.0\.0\.1:\d+)/.exec(demo.output())[1];

  const browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
  cleanUp.push(() => browser.close());
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await page.goto(`${demo.url}/`);
  await page.waitForFunction(() => document.getElementById('send-burst').onclick !== null);
  await page.fill('#burst-size', '120');
  await page.click('#send-burst');
  await waitFor(async () => (await number(page, '#delivered-count')) === 120, {
    what: '120 delivered on the page',
    timeoutMs: 30000,
  });
  assert.match(await page.textContent('#consumer-sink'), /JetStream stream tep-events/);
  const held = await streamContents([natsUrl], 'tep-events');
  assert.equal(held.length, 120);
  const newest = held.at(-1).event.id;
  await waitFor(async () => (await page.textContent('#latest-events')).includes(newest), {
    what: `the newest event in the stream (${newest}) listed on the page`,
  });
  assert.deepEqual(pageErrors, []);

  await demo.stop();
  assert.equal(await accepts(Number(new URL(natsUrl).port)), false, 'the demo stopped its nats-server');
});
