// The test's side of the storage faults that tests/browser/pages/storage-faults.js
// injects into the producer's worker: each switch is posted on the page's
// BroadcastChannel and resolves once the worker has acknowledged it.
const CHANNEL = 'tep-test-storage-faults';

/** Switches the worker's full-quota fault and waits until the worker has it. */
export function setQuotaFull(page, quotaFull) {
  return page.evaluate(
    ({ quotaFull, name }) =>
      new Promise((resolve) => {
        const channel = new BroadcastChannel(name);
        channel.onmessage = ({ data }) => {
          if (data?.applied !== quotaFull) return;
          channel.close();
          resolve();
        };
        channel.postMessage({ quotaFull });
      }),
    { quotaFull, name: CHANNEL },
  );
}

/** Clears the site's storage under the worker; resolves to the databases deleted. */
export function clearStorage(page) {
  return page.evaluate(
    (name) =>
      new Promise((resolve) => {
        const channel = new BroadcastChannel(name);
        channel.onmessage = ({ data }) => {
          if (!data?.cleared) return;
          channel.close();
          resolve(data.cleared);
        };
        channel.postMessage({ clearStorage: true });
      }),
    CHANNEL,
  );
}
