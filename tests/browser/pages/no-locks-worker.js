// The producer's worker as it runs where navigator.locks doesn't exist
// (plain http to an address other than localhost): for the fallback tests.
// Static imports run in order, so the lock API is gone before the worker starts.
import './remove-locks.js';
import '/dist/worker.js';
