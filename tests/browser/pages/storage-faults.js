// Storage faults injected into the producer's worker, switched by the page
// over a BroadcastChannel (each is acknowledged, so the page knows when it
// holds).
// - `quotaFull`: every IndexedDB transaction that writes is aborted, as a
//   browser aborts one that would exceed the origin's quota.
// - `clearStorage`: the worker's connections are closed and its databases
//   deleted, as when the user clears the site's data while the tab is open.
const channel = new BroadcastChannel('tep-test-storage-faults');
let quotaFull = false;
const connections = [];

channel.onmessage = async ({ data }) => {
  if (data && 'quotaFull' in data) {
    quotaFull = !!data.quotaFull;
    channel.postMessage({ applied: quotaFull });
  }
  if (data?.clearStorage) {
    const names = [...new Set(connections.map((db) => db.name))];
    connections.splice(0).forEach((db) => db.close());
    // A connection the worker opened meanwhile (the orphan scan reading a
    // kept-aside database, which has no `versionchange` handler) stays open
    // until its read ends: the delete may be reported `blocked` first, then
    // goes on. Only an error ends it; either way the page hears the outcome,
    // never silence.
    const failures = await Promise.all(
      names.map(
        (name) =>
          new Promise((resolve) => {
            const request = indexedDB.deleteDatabase(name);
            request.onsuccess = () => resolve(null);
            request.onerror = () => resolve(`${name}: ${request.error?.message}`);
          }),
      ),
    );
    const failed = failures.filter(Boolean);
    channel.postMessage(failed.length ? { clearFailed: failed } : { cleared: names });
  }
};

const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (...args) {
  const request = put.apply(this, args);
  if (quotaFull) this.transaction.abort();
  return request;
};

const open = IDBFactory.prototype.open;
IDBFactory.prototype.open = function (...args) {
  const request = open.apply(this, args);
  request.addEventListener('success', () => connections.push(request.result));
  return request;
};
