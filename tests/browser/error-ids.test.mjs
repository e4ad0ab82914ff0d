// The ids only a browser raises, each from the fault that raises it and
// asserted whole: a worker that can't load, a request the producer's
// shutdown ends, events the page itself refuses, and a hand-off to the
// service worker that fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, openProducerPage, testConfig, waitFor } from './harness.mjs';

let browser;
before(async () => {
  browser = await openBrowser();
});
after(async () => {
  await browser?.close();
});

/** The id and errorCode init() rejects with for `overrides`. */
async function initFailure(overrides) {
  const page = await openProducerPage(browser);
  const failure = await page.evaluate(
    async (config) => {
      try {
        await window.producer.init(config);
        return 'resolved';
      } catch (error) {
        return { id: error.id, errorCode: error.errorCode, name: error.name };
      }
    },
    testConfig(browser.url, overrides),
  );
  await page.close();
  return failure;
}

test('a worker script that is not there fails init with tep.init.worker', async () => {
  assert.deepEqual(await initFailure({ workerUrl: '/tests/browser/pages/no-such-worker.js' }), {
    id: 'tep.init.worker',
    errorCode: 'worker',
    name: 'InitError',
  });
});

test('a flush that shutdown ends rejects with tep.worker.closed', async () => {
  // The collector holds every request: the flush waits on its send.
  await browser.control({ mode: 'hang' });
  const page = await openProducerPage(browser);
  const id = await page.evaluate(async (config) => {
    await window.producer.init(config);
    window.producer.sendEvent({ name: 'held_by_flush', consentCategory: 'NECESSARY', payload: {} });
    const flushing = window.producer.flush().then(
      () => 'resolved',
      (error) => error.id,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await window.producer.shutdown();
    return flushing;
  }, testConfig(browser.url));
  assert.equal(id, 'tep.worker.closed');
  await browser.control({ mode: 'up' });
  await page.close();
});

/** A producer page whose strict-mode problems (`event-producer: [id] …` on the console) are collected by id. */
async function pageReportingProblems() {
  const page = await openProducerPage(browser);
  const ids = [];
  page.on('console', (message) => {
    const reported = /^event-producer: \[([^\]]+)\]/.exec(message.text());
    if (reported) ids.push(reported[1]);
  });
  return { page, ids };
}

test('an event JSON cannot carry is reported as tep.event.not_serialisable', async () => {
  await browser.control({ mode: 'up' });
  const { page, ids } = await pageReportingProblems();
  await page.evaluate(
    async (config) => {
      await window.producer.init(config);
      window.producer.sendEvent({ name: 'big_number', consentCategory: 'NECESSARY', payload: { n: 1n } });
      await window.producer.flush();
    },
    testConfig(browser.url, { strictMode: true }),
  );
  assert.deepEqual(ids, ['tep.event.not_serialisable']);
  await page.close();
});

test('an event a consent change purges before the worker stored it is reported as tep.event.consent_purged', async () => {
  await browser.control({ mode: 'up' });
  const { page, ids } = await pageReportingProblems();
  await page.evaluate(
    async (config) => {
      const starting = window.producer.init(config);
      window.producer.sendEvent({ name: 'purged_early', consentCategory: 'PERFORMANCE', payload: {} });
      window.producer.setConsentCategory({ PERFORMANCE: true }, { purge: true });
      await starting;
      await window.producer.flush();
    },
    testConfig(browser.url, { strictMode: true }),
  );
  assert.deepEqual(ids, ['tep.event.consent_purged']);
  await page.close();
});

test('config the service worker could not be left is reported as tep.service_worker.hand_off', async () => {
  await browser.control({ mode: 'up' });
  const { page, ids } = await pageReportingProblems();
  await page.evaluate(
    async (config) => {
      // The page's database for the service worker refuses to open; the worker's own storage is untouched.
      const open = indexedDB.open.bind(indexedDB);
      indexedDB.open = (name, version) => {
        if (name === 'tep-service-worker') throw new DOMException('refused by the test', 'UnknownError');
        return open(name, version);
      };
      await window.producer.init(config);
      await window.producer.flush();
    },
    testConfig(browser.url, { strictMode: true, serviceWorker: true }),
  );
  assert.deepEqual([...new Set(ids)], ['tep.service_worker.hand_off']);
  await page.close();
});

/**
 * Source of a module worker that runs the package's worker with faults
 * injected: messages of the actions in `droppedActions` never reach it (the
 * others are held until it listens); with `refuseDatabaseList`, the list of
 * the origin's databases can't be read; notices of the types in
 * `unpostable` can't be posted to the page; and an object with the member
 * `unserialisable` can't be turned into JSON.
 */
function faultyWorkerSource({ droppedActions = [], refuseDatabaseList = false, unpostable = [], unserialisable = '' }) {
  return `
    const dropped = new Set(${JSON.stringify(droppedActions)});
    if (${refuseDatabaseList}) {
      indexedDB.databases = () => Promise.reject(new DOMException('refused by the test', 'UnknownError'));
    }
    const unpostable = new Set(${JSON.stringify(unpostable)});
    const post = self.postMessage.bind(self);
    self.postMessage = (message, ...rest) => {
      if (unpostable.has(message?.type)) throw new DOMException('refused by the test', 'DataCloneError');
      return post(message, ...rest);
    };
    const unserialisable = ${JSON.stringify(unserialisable)};
    const stringify = JSON.stringify;
    JSON.stringify = (value, ...rest) => {
      if (unserialisable && value && typeof value === 'object' && Object.hasOwn(value, unserialisable)) {
        throw new TypeError('refused by the test');
      }
      return stringify(value, ...rest);
    };
    const early = [];
    let listener = null;
    self.onmessage = (event) => {
      if (dropped.has(event.data?.action)) return;
      if (listener) listener(event);
      else early.push(event);
    };
    Object.defineProperty(self, 'onmessage', {
      configurable: true,
      get: () => listener,
      set(next) {
        listener = next;
        for (const event of early.splice(0)) next(event);
      },
    });
    await import(new URL('/dist/worker.js', self.origin === 'null' ? undefined : self.origin).href);
  `;
}

/** Starts the producer on `page` with a worker of `faultyWorkerSource(faults)`. */
function initWithFaultyWorker(page, faults, overrides = {}, { loggedIn = false } = {}) {
  return page.evaluate(
    async ({ config, source, loggedIn }) => {
      if (loggedIn) config.credentialsProvider = { getCredentials: async () => ({ clientId: 'c', token: 't' }) };
      config.workerUrl = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      config.wasmUrl = new URL('/dist/core.wasm', location.href).href;
      await window.producer.init(config);
    },
    { config: testConfig(browser.url, overrides), source: faultyWorkerSource(faults), loggedIn },
  );
}

test('a consent change the worker does not answer is reported as tep.consent.not_applied', async () => {
  await browser.control({ mode: 'up' });
  const { page, ids } = await pageReportingProblems();
  await initWithFaultyWorker(page, { droppedActions: ['consent'] });
  await page.evaluate(() => window.producer.setConsentCategory({ PERFORMANCE: true }));
  // The page waits 10 s for the worker's answer (web/deadlines.js) before it gives up.
  await waitFor(() => ids.length > 0, { timeoutMs: 20000, what: 'a reported problem' });
  assert.deepEqual(ids, ['tep.consent.not_applied']);
  await page.close();
});

test("a list of the tabs' stores that can't be read is reported as tep.tabs.adoption", async () => {
  await browser.control({ mode: 'up' });
  const { page, ids } = await pageReportingProblems();
  await initWithFaultyWorker(page, { refuseDatabaseList: true }, { strictMode: true });
  await waitFor(() => ids.length > 0, { what: 'a reported problem' });
  assert.deepEqual([...new Set(ids)], ['tep.tabs.adoption']);
  await page.close();
});

test('a send whose fresh credentials could not be asked for is reported as tep.worker.send', async () => {
  // The collector refuses the token: the retry asks the page for new credentials, which the worker can't post.
  await browser.control({ mode: 'unauthorized' });
  const { page, ids } = await pageReportingProblems();
  await initWithFaultyWorker(page, { unpostable: ['credentials-request'] }, { strictMode: true }, { loggedIn: true });
  await page.evaluate(() =>
    window.producer.sendEvent({ name: 'refused_token', consentCategory: 'NECESSARY', payload: {} }),
  );
  await waitFor(() => ids.includes('tep.worker.send'), { what: 'tep.worker.send', explain: async () => ids });
  await browser.control({ mode: 'up' });
  await page.close();
});

test('a core the worker could not create after init answered is reported as tep.worker.restore', async () => {
  await browser.control({ mode: 'up' });
  const { page, ids } = await pageReportingProblems();
  // The core's part of the config is the object with feralEventTypes (web/config.js).
  await initWithFaultyWorker(page, { unserialisable: 'feralEventTypes' }, { strictMode: true });
  await waitFor(() => ids.length > 0, { what: 'a reported problem' });
  assert.deepEqual([...new Set(ids)], ['tep.worker.restore']);
  await page.close();
});
