// The producer's worker where IndexedDB can't be opened (see no-indexeddb.js).
import './no-indexeddb.js';
import '/dist/worker.js';
