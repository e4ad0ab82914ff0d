// Storage faults injected into the producer's worker, switched on and off by
// the page over a BroadcastChannel (each switch is acknowledged, so the page
// knows when it holds). `quotaFull`: every IndexedDB transaction that writes
// is aborted, as a browser aborts one that would exceed the origin's quota.
const channel = new BroadcastChannel('tep-test-storage-faults');
let quotaFull = false;
channel.onmessage = ({ data }) => {
  if (!data || !('quotaFull' in data)) return;
  quotaFull = !!data.quotaFull;
  channel.postMessage({ applied: quotaFull });
};

const put = IDBObjectStore.prototype.put;
IDBObjectStore.prototype.put = function (...args) {
  const request = put.apply(this, args);
  if (quotaFull) this.transaction.abort();
  return request;
};
