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

/**
 * Clears the site's storage under the worker; resolves to the databases
 * deleted, and rejects with the reason where a delete fails or no answer
 * comes within `timeoutMs` (a delete that a connection blocks for good).
 */
export async function clearStorage(page, timeoutMs = 20000) {
  const outcome = await page.evaluate(
    ({ name, timeoutMs }) =>
      new Promise((resolve) => {
        const channel = new BroadcastChannel(name);
        const timer = setTimeout(() => {
          channel.close();
          resolve({ failed: [`no answer from the worker within ${timeoutMs} ms`] });
        }, timeoutMs);
        channel.onmessage = ({ data }) => {
          if (!data?.cleared && !data?.clearFailed) return;
          clearTimeout(timer);
          channel.close();
          resolve({ cleared: data.cleared, failed: data.clearFailed });
        };
        channel.postMessage({ clearStorage: true });
      }),
    { name: CHANNEL, timeoutMs },
  );
  if (outcome.failed) throw new Error(`the site's storage was not cleared: ${outcome.failed.join('; ')}`);
  return outcome.cleared;
}
