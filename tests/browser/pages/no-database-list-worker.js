// The producer's worker where indexedDB.databases() is missing: for the
// adoption tests of the store registry (tests/browser/adoption-without-database-list.test.mjs).
// Static imports run in order, so the method is gone before the worker starts.
import './remove-database-list.js';
import '/dist/worker.js';
