// WebKit for the engine driver (tests/browser/engines.mjs): WebKitGTK's
// MiniBrowser driven by selenium-webdriver through WebKitWebDriver, all from
// Debian (webkit2gtk-driver). MiniBrowser has no headless mode, so each
// session runs on a virtual display of its own (xvfb-run -a). WebDriver
// classic can't intercept requests, go offline, or run a script before the
// page's own: tests that need those skip here, and page errors are those
// thrown after a page has loaded.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Builder, By } from 'selenium-webdriver';
import { freeLoopbackPort } from '../../../demo/free-loopback-port.mjs';

export const webKitDriverPath = () => process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const miniBrowserPath = () =>
  process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

// Without a display a session start hangs instead of failing: give up after this.
const SESSION_START_MS = 30000;
// The longest a page call may run: flush() against a slow consumer, say.
const SCRIPT_TIMEOUT_MS = 120000;

// Nothing may leave the machine: a WebKit content filter blocks every URL but
// the loopback test server's and those naming no host (WebDriver can't
// answer requests in their place).
const loopbackOnlyRules = [
  { trigger: { 'url-filter': '.*' }, action: { type: 'block' } },
  { trigger: { 'url-filter': '^[a-z]+://127\\.0\\.0\\.1[:/]' }, action: { type: 'ignore-previous-rules' } },
  { trigger: { 'url-filter': '^[a-z]+://localhost[:/]' }, action: { type: 'ignore-previous-rules' } },
  // URLs that name no host: pages' own blobs and data (TIDAL's package starts its worker from a blob).
  ...['about', 'blob', 'data'].map((scheme) => ({
    trigger: { 'url-filter': `^${scheme}:` },
    action: { type: 'ignore-previous-rules' },
  })),
];

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
    }),
  ]);
}

// Runs in the page: the test's function (its source inlined, so no eval that
// a page's CSP could refuse) with its argument, answered as JSON so that
// undefined and errors come back as they were.
const evaluateScript = (source) => `
  const done = arguments[arguments.length - 1];
  const { arg } = JSON.parse(arguments[0]);
  Promise.resolve()
    .then(() => (${source})(arg))
    .then(
      (value) => done(JSON.stringify(value === undefined ? { undefined: true } : { value })),
      // WebKit's stack holds no message: both are sent.
      (error) => done(JSON.stringify({ error: error && error.stack ? error + '\\n' + error.stack : String(error) })),
    );
`;

// Runs in every page after it loads: keeps what is thrown and not caught.
const recordErrorsScript = `
  if (!window.__testPageErrors) {
    window.__testPageErrors = [];
    window.addEventListener('error', (e) => window.__testPageErrors.push(String(e.error || e.message)));
    window.addEventListener('unhandledrejection', (e) => window.__testPageErrors.push('Unhandled rejection: ' + String(e.reason)));
  }
`;

// A MiniBrowser that fails to open its first window fails the session at once
// ("failed to create a new browsing context"), now and then on a busy
// machine: such a start is tried again.
const SESSION_ATTEMPTS = 3;

/** One WebKitWebDriver on its own virtual display, and one MiniBrowser session. */
async function startSession() {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startSessionOnce();
    } catch (error) {
      if (error.name !== 'SessionNotCreatedError' || attempt === SESSION_ATTEMPTS) throw error;
    }
  }
}

async function startSessionOnce() {
  const home = await mkdtemp(join(tmpdir(), 'tep-webkit-'));
  const filter = join(home, 'loopback-only.json');
  await writeFile(filter, JSON.stringify(loopbackOnlyRules));
  const port = await freeLoopbackPort();
  // Its own data folders: no IndexedDB shared with another session or run.
  // TMPDIR too: xvfb-run keeps its display's key there, and a stopped
  // xvfb-run doesn't clean up after itself.
  const env = {
    ...process.env,
    HOME: home,
    TMPDIR: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  const driverProcess = spawn(
    'xvfb-run',
    ['-a', '-s', '-screen 0 1600x1200x24', webKitDriverPath(), `--port=${port}`],
    {
      env,
      detached: true, // its own process group: xvfb-run, Xvfb and the driver end together
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let driverOutput = '';
  const keepOutput = (chunk) => {
    driverOutput = (driverOutput + chunk).slice(-4000);
  };
  driverProcess.stdout.on('data', keepOutput);
  driverProcess.stderr.on('data', keepOutput);
  const stopDriver = () => {
    process.off('exit', stopDriver);
    try {
      process.kill(-driverProcess.pid, 'SIGTERM');
    } catch {}
  };
  // A test process that ends without closing its browser leaves no display behind.
  process.on('exit', stopDriver);
  try {
    const driver = await withTimeout(
      (async () => {
        // The driver answers once it listens.
        for (;;) {
          if (driverProcess.exitCode !== null) throw new Error(`WebKitWebDriver exited: ${driverOutput}`);
          const ready = await fetch(`http://127.0.0.1:${port}/status`).then(
            (r) => r.ok,
            () => false,
          );
          if (ready) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return new Builder()
          .usingServer(`http://127.0.0.1:${port}`)
          .withCapabilities({
            browserName: 'MiniBrowser',
            'webkitgtk:browserOptions': {
              binary: miniBrowserPath(),
              args: ['--automation', `--content-filter=${filter}`],
            },
          })
          .build();
      })(),
      SESSION_START_MS,
      'starting a WebKit session (is xvfb-run installed?)',
    );
    await driver.manage().setTimeouts({ script: SCRIPT_TIMEOUT_MS, pageLoad: 60000 });
    return {
      driver,
      firstWindow: await driver.getWindowHandle(),
      async close() {
        await withTimeout(driver.quit(), 10000, 'closing the WebKit session').catch(() => {});
        stopDriver();
        await rm(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    stopDriver();
    await rm(home, { recursive: true, force: true });
    if (driverOutput) error.message += `\nWebKitWebDriver said: ${driverOutput.trim()}`;
    throw error;
  }
}

/** In the page: the browser's signal that the network went away (true) or came back. */
function signalNetwork(offline) {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => !offline });
  window.dispatchEvent(new Event(offline ? 'offline' : 'online'));
}

/** Pages are windows of one session; WebDriver talks to one at a time, so calls queue and switch. */
function sessionPages(session) {
  const { driver } = session;
  let queue = Promise.resolve();
  let current = null;
  const pages = new Set();
  const closedPageErrors = [];
  let offline = false;

  const run = (handle, action) => {
    const step = queue.then(async () => {
      if (handle && current !== handle) {
        await driver.switchTo().window(handle);
        current = handle;
      }
      return action();
    });
    queue = step.catch(() => {});
    return step;
  };

  async function evaluateIn(handle, fn, arg) {
    const answer = JSON.parse(
      await run(handle, () => driver.executeAsyncScript(evaluateScript(String(fn)), JSON.stringify({ arg }))),
    );
    if (answer.error) throw new Error(`in the page: ${answer.error}`);
    return answer.undefined ? undefined : answer.value;
  }

  async function pageErrorsOf(handle) {
    return (await evaluateIn(handle, () => window.__testPageErrors ?? []).catch(() => [])) ?? [];
  }

  async function newPage() {
    // A window rather than a tab, so every page is visible as it is for a user.
    // Opened from the session's first window, which is never closed: WebDriver
    // opens new windows only from a window that is still there.
    const handle = await run(session.firstWindow, async () => {
      await driver.switchTo().newWindow('window');
      current = await driver.getWindowHandle();
      return current;
    });
    const afterLoad = async () => {
      await run(handle, () => driver.executeScript(recordErrorsScript));
      if (offline) await evaluateIn(handle, signalNetwork, true);
    };
    const page = {
      native: { driver, handle },
      goto: (url) => run(handle, () => driver.get(url)).then(afterLoad),
      evaluate: (fn, arg) => evaluateIn(handle, fn, arg),
      async waitForFunction(fn, arg, { timeout = 30000 } = {}) {
        const deadline = Date.now() + timeout;
        while (!(await evaluateIn(handle, fn, arg))) {
          if (Date.now() > deadline)
            throw new Error(`timed out after ${timeout} ms waiting in the page for ${String(fn).slice(0, 120)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      reload: () => run(handle, () => driver.navigate().refresh()).then(afterLoad),
      async close() {
        closedPageErrors.push(...(await pageErrorsOf(handle)));
        pages.delete(page);
        await run(handle, async () => {
          await driver.close();
          current = null;
        });
      },
      async screenshot(path) {
        // WebDriver shoots the viewport only: the window grows to the page's
        // height for the shot, as a full-page screenshot in the other drivers.
        const { pageHeight, chrome } = await evaluateIn(handle, () => ({
          pageHeight: document.documentElement.scrollHeight,
          chrome: window.outerHeight - window.innerHeight,
        }));
        const png = await run(handle, async () => {
          const rect = await driver.manage().window().getRect();
          if (pageHeight + chrome > rect.height)
            await driver
              .manage()
              .window()
              .setRect({ width: rect.width, height: pageHeight + chrome });
          const shot = await driver.takeScreenshot();
          await driver.manage().window().setRect({ width: rect.width, height: rect.height });
          return shot;
        });
        await writeFile(path, Buffer.from(png, 'base64'));
      },
      setViewportSize: ({ width, height }) => run(handle, () => driver.manage().window().setRect({ width, height })),
      click: (selector) => run(handle, async () => (await driver.findElement(By.css(selector))).click()),
      fill: (selector, text) =>
        run(handle, async () => {
          const element = await driver.findElement(By.css(selector));
          await element.clear();
          await element.sendKeys(text);
        }),
      textContent: (selector) => evaluateIn(handle, (s) => document.querySelector(s)?.textContent ?? null, selector),
      waitForSelector: (selector) => page.waitForFunction((s) => !!document.querySelector(s), selector),
    };
    pages.add(page);
    return page;
  }

  return {
    newPage,
    /**
     * WebKitWebDriver can't take the network away: the pages get the
     * browser's signal instead (navigator.onLine and the offline and online
     * events), with the network still up. The producer's worker hears it
     * from its page, as it does where the browser doesn't tell workers.
     */
    async setOffline(value) {
      offline = value;
      for (const page of pages) await evaluateIn(page.native.handle, signalNetwork, value);
    },
    async collectPageErrors() {
      const open = [];
      for (const page of pages) open.push(...(await pageErrorsOf(page.native.handle)));
      return [...closedPageErrors, ...open];
    },
  };
}

export async function launchEngine() {
  const main = await startSession();
  const mainPages = sessionPages(main);
  const isolated = [];
  return {
    version: (await main.driver.getCapabilities()).get('browserVersion'),
    features: ['offline'],
    // Each page is a window; the session's first window stays open and blank,
    // since closing a session's last window ends the session.
    newPage: () => mainPages.newPage(),
    async newIsolatedContext() {
      // One session's windows share their storage: another session has its own.
      const session = await startSession();
      isolated.push(session);
      const pages = sessionPages(session);
      return { newPage: () => pages.newPage(), close: () => session.close() };
    },
    collectPageErrors: () => mainPages.collectPageErrors(),
    setOffline: (value) => mainPages.setOffline(value),
    async close() {
      for (const session of isolated) await session.close();
      await main.close();
    },
  };
}
