// One IndexedDB connection per stored folder (worker/stored-folders.post.js),
// opened as IDBFS opens it and cached in IDBFS.dbs, and what happens when the
// browser or another tab takes it away: the folder is marked lost, and the
// worker stores it whole again. Linked into the module with --post-js before
// stored-folders.post.js (worker/wasm_module.cmake), in the same scope.
//
// IndexedDB errors are caught before IDBFS's request handlers see them: in
// Emscripten 3.1.6 those read `this.error` inside arrow functions, which
// throws in an ES module and would leave the caller waiting forever.

/** @type {!Object<string, boolean>} folders whose database was closed under the worker */
var storedFoldersLost = {};

/** Marks the folder's database as lost and tells the worker, which stores the whole folder again. */
function storedFolderLost(path, db) {
  if (IDBFS.dbs[path] === db) delete IDBFS.dbs[path];
  storedFoldersLost[path] = true;
  var onLost = Module['storedFolders']['onLost'];
  if (onLost) onLost(path);
}

/**
 * IDBFS's connection to the folder's database (IDBFS.getDB: created as
 * IDBFS creates it if missing, cached in IDBFS.dbs); rejects if IndexedDB
 * refuses.
 */
function storedFolderDatabase(path) {
  return new Promise(function (resolve, reject) {
    var factory = IDBFS.indexedDB;
    // Sees the open request's error first, so it rejects here (see above).
    IDBFS.indexedDB = function () {
      var real = factory();
      return {
        open: function (name, version) {
          var request = real.open(name, version);
          request.addEventListener('error', function (event) {
            event.preventDefault();
            event.stopImmediatePropagation();
            reject(request.error);
          });
          return request;
        },
      };
    };
    var cached = IDBFS.dbs[path];
    try {
      IDBFS.getDB(path, function (error, db) {
        if (error) return reject(error);
        if (db !== cached) {
          // A failed request aborts its transaction, which says so to its
          // own listener; IDBFS's handlers never see the error (see above).
          db.addEventListener(
            'error',
            function (event) {
              event.stopPropagation();
            },
            true,
          );
          // The browser closes the connection when the site's data is
          // cleared under the tab: the stored files may be gone.
          db.onclose = function () {
            storedFolderLost(path, db);
          };
          // Another tab deletes this database (it took the folder for a
          // gone tab's, as a tab frozen for long looks without Web Locks):
          // step aside at once, rather than block the delete until this
          // worker ends and lose what it stored after, and store the whole
          // folder again once the database is gone.
          db.onversionchange = function () {
            db.close();
            storedFolderLost(path, db);
          };
        }
        resolve(db);
      });
    } finally {
      IDBFS.indexedDB = factory;
    }
  });
}

/** Settles `resolve`/`reject` when `transaction` completes or aborts. */
function settleWith(transaction, resolve, reject) {
  transaction.oncomplete = function () {
    resolve();
  };
  transaction.onabort = function () {
    reject(transaction.error || new Error('IndexedDB transaction aborted'));
  };
}
