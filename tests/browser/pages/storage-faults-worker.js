// The producer's worker with switchable storage faults (see storage-faults.js).
// Static imports run in order, so the faults are in place before the worker starts.
import './storage-faults.js';
import '/dist/worker.js';
