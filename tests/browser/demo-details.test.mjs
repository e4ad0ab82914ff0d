// The demo page's finish: it loads without a failed request, its rows fit at
// 1280 px, each part says what it shows, and the last error says when it
// was seen and steps back once delivery recovers; with the service worker
// switched on, events sent from a tab closed during an outage arrive with no
// tab open (the browser's sync fired through the DevTools protocol), and the
// demo opened again shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, sharedBrowser, waitFor } from './harness.mjs';
import { fireSync } from './package-service-worker.mjs';

// The width of a common laptop screen, the one the demo is laid out for.
const LAPTOP_VIEWPORT = { width: 1280, height: 800 };

const browser = sharedBrowser(openBrowser);

async function openDemo() {
  const page = await browser.context.newPage();
  await page.setViewportSize(LAPTOP_VIEWPORT);
  const consoleErrors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  await page.goto(browser.url);
  await page.waitForSelector('#outage-indicator');
  return { page, consoleErrors };
}

test('the demo loads with no failed request and no console error, its icon included', async () => {
  const { page, consoleErrors } = await openDemo();
  await page.waitForFunction(() => document.querySelector('#storage').textContent !== '—');
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(browser.pageErrors, []);
  await page.close();
});

test('at 1280 px the send, burst, consent and service worker rows each stay on one line', async () => {
  const { page } = await openDemo();
  const rows = await page.$$eval('.panel:first-child :is(.buttons, .row):not(.faults)', (elements) =>
    elements.map((row) => ({
      text: row.textContent.replace(/\s+/g, ' ').trim(),
      tops: [...row.children].map((child) =>
        Math.round(child.getBoundingClientRect().top + child.getBoundingClientRect().height / 2),
      ),
    })),
  );
  assert.equal(rows.length, 4, JSON.stringify(rows));
  for (const row of rows) assert.equal(new Set(row.tops).size, 1, `"${row.text}" is on one line: ${row.tops}`);
  await page.close();
});

test('each part of the demo says in a line what it shows', async () => {
  const { page } = await openDemo();
  const parts = await page.$$eval('h2', (headings) =>
    headings.map((heading) => ({
      heading: heading.firstChild.textContent.trim(),
      hint: heading.nextElementSibling?.matches('p.hint') ? heading.nextElementSibling.textContent.trim() : '',
    })),
  );
  assert.deepEqual(
    parts.map((part) => part.heading),
    ['Send', 'Consent', 'After the last tab', 'Consumer faults', 'Live', 'Bus'],
  );
  for (const part of parts) assert.ok(part.hint.length > 20, `${part.heading} has a line saying what it shows`);
  await page.close();
});

test('the last error shows when it was seen, and steps back once delivery recovers', async () => {
  const { page } = await openDemo();
  try {
    await page.click('#consumer-down');
    await page.click('#send-necessary');
    await page.click('#flush');
    const seen = await waitFor(
      () =>
        page.$eval(
          '#last-error',
          (line) => !line.classList.contains('recovered') && line.querySelector('time')?.dateTime,
        ),
      { what: 'the last error with its time', timeoutMs: 30000 },
    );
    assert.ok(Math.abs(Date.parse(seen) - Date.now()) < 60000, `seen just now: ${seen}`);
    assert.match(await page.textContent('#last-error'), /tep\.send/);

    await page.click('#consumer-up');
    await page.click('#flush');
    await waitFor(() => page.$eval('#last-error', (line) => line.classList.contains('recovered')), {
      what: 'the error dimmed',
      timeoutMs: 30000,
    });
    assert.match(await page.textContent('#last-error'), /recovered$/);
    assert.notEqual(
      await page.$eval('#last-error', (line) => getComputedStyle(line).color),
      await page.$eval('#storage', (line) => getComputedStyle(line).color),
    );
  } finally {
    await browser.control({ mode: 'up' });
    await page.close();
  }
});

test('with the switch on, events sent from a demo tab closed during an outage arrive with no tab open, and the demo shows them', async () => {
  let { page } = await openDemo();
  await page.waitForFunction(() => document.getElementById('send-necessary').onclick !== null);
  const reloaded = page.waitForEvent('load');
  await page.click('#service-worker');
  await reloaded;
  await page.waitForFunction(() => document.getElementById('send-necessary').onclick !== null);
  await waitFor(() => page.$eval('#service-worker-state', (state) => state.textContent.startsWith('registered')), {
    what: 'the service worker registered',
  });
  assert.equal(await page.isChecked('#service-worker'), true);

  await page.click('#consumer-5xx');
  await page.fill('#burst-size', '25');
  await page.click('#send-burst');
  await waitFor(async () => (await page.textContent('#outage-indicator')) === 'Outage', { what: 'the outage' });
  await page.close();

  await browser.control({ mode: 'up' });
  await fireSync(browser);
  await waitFor(async () => (await browser.consumerStats()).accepted >= 25, {
    what: 'the events delivered with no tab open',
    explain: () => browser.consumerStats(),
  });

  ({ page } = await openDemo());
  const shown = await waitFor(
    async () => {
      const text = await page.textContent('#while-closed');
      return /^\d+ events arrived/.test(text) ? text : null;
    },
    { what: 'the events that arrived while no tab was open' },
  );
  // The 25 sent, and any counters report the service worker sent with them.
  assert.ok(Number(shown.match(/^\d+/)[0]) >= 25, shown);
  await page.close();
});
