// One driver for the browser tests in every engine: a test is written once
// against the page and browser calls below, and runs in Chromium
// (playwright-core), Firefox ESR (puppeteer-core over WebDriver BiDi) or
// WebKitGTK's MiniBrowser (selenium-webdriver and WebKitWebDriver), all
// Debian's. The engine comes from --engine <name> or ENGINE, Chromium by
// default; tests/browser/run-in-engine.mjs sets it for a whole run.
//
// A page (browser.newPage()) has: goto(url), evaluate(fn, arg),
// waitForFunction(fn, arg, { timeout }), reload(), close(), screenshot(path),
// setViewportSize({ width, height }), click(selector), fill(selector, text),
// textContent(selector), waitForSelector(selector), and `native`, the
// engine's own page object. `fn` runs in the page, so it sees only its
// argument, as in every driver.
import { startTestServer } from './harness.mjs';

export const engineNames = ['chromium', 'firefox', 'webkit'];

/**
 * What some tests need and not every driver offers, with what each means.
 * An engine's module lists the ones it has in `features`.
 */
export const optionalFeatures = {
  'request-interception': 'answering requests to other hosts from the test',
  offline: 'switching the network off for the page and its worker',
  cdp: 'the Chrome DevTools Protocol (performance metrics, worker.evaluate)',
};

/** The engine named by --engine <name> (or --engine=<name>) or ENGINE, else Chromium. */
export function selectedEngine(argv = process.argv, env = process.env) {
  let name = env.ENGINE;
  const at = argv.indexOf('--engine');
  if (at !== -1 && argv[at + 1]) name = argv[at + 1];
  const inline = argv.find((arg) => arg.startsWith('--engine='));
  if (inline) name = inline.slice('--engine='.length);
  name = (name || 'chromium').toLowerCase();
  if (!engineNames.includes(name)) throw new Error(`unknown engine "${name}": one of ${engineNames.join(', ')}`);
  return name;
}

/**
 * The test server and a browser of the selected engine with one context,
 * whose IndexedDB persists across reloads and is shared by its pages.
 */
export async function openBrowserUnderTest({ engine = selectedEngine() } = {}) {
  const { launchEngine } = await import(`./engines/${engine}.mjs`);
  const testServer = await startTestServer();
  let session;
  try {
    session = await launchEngine();
  } catch (error) {
    await testServer.close();
    throw error;
  }
  return {
    ...testServer,
    engine,
    version: session.version,
    /** A new tab of the browser's context, sharing its storage with the other tabs. */
    newPage: () => session.newPage(),
    /** A context with storage of its own (no IndexedDB, locks or channels shared): { newPage(), close() }. */
    newIsolatedContext: () => session.newIsolatedContext(),
    /** Errors thrown by the pages' scripts and not caught (see each engine for what it can see). */
    collectPageErrors: () => session.collectPageErrors(),
    /** Switches the network off (true) or on for every page of the context and its workers. */
    setOffline: (offline) => requireFeature(session, engine, 'offline').setOffline(offline),
    /**
     * Answers every request whose URL starts with `urlPrefix` with
     * `answer(url)` → { status, headers, body }, in the pages opened after.
     */
    answerRequests: (urlPrefix, answer) =>
      requireFeature(session, engine, 'request-interception').answerRequests(urlPrefix, answer),
    has: (feature) => session.features.includes(feature),
    async close() {
      await session.close().catch(() => {});
      await testServer.close();
    },
  };
}

function requireFeature(session, engine, feature) {
  if (!session.features.includes(feature))
    throw new Error(`${engine} offers no ${optionalFeatures[feature]}: check browser.has(feature) first`);
  return session;
}

/** Polls `fn(arg)` in the page until it returns a truthy value; for drivers without a waitForFunction of their own. */
export async function pollInPage(page, fn, arg, { timeout = 30000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await page.evaluate(fn, arg);
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeout} ms waiting in the page for ${String(fn).slice(0, 120)}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
