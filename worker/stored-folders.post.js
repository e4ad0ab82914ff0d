// The queue's folders on Emscripten's file system, persisted in IndexedDB by
// IDBFS. Linked into the module with --post-js, so it reaches FS and IDBFS
// under the names closure gives them; the worker calls it as
// Module["storedFolders"] (quoted names survive closure).
//
// Each folder is an IDBFS mount: one IndexedDB database named by the path
// (IDBFS.getDB), object store FILE_DATA, one entry {timestamp, mode,
// contents} per file keyed "<path>/<name>". The core reads and writes the
// files with ordinary file calls (src/directory_file_store.cpp); they live in
// memory (IDBFS is MEMFS underneath) until the worker stores those that
// changed.
//
// What IDBFS.syncfs does is done here step by step with IDBFS's own entry
// functions, for three reasons:
// - Loading reads the stored entries while the wasm still compiles
//   (IDBFS.getRemoteSet, IDBFS.loadRemoteEntry) and puts them on the file
//   system once the runtime is up (IDBFS.storeLocalEntry): MEMFS can't take
//   a file before the wasm memory exists.
// - FS.syncfs(true, …) loads every mount: loading an adopted tab's folder
//   that way would put the own queue back to its stored state, erasing what
//   was not yet stored.
// - Storing writes only the files that changed (IDBFS.loadLocalEntry for
//   each), where syncfs would stat every file and walk every stored key.
// The database connections and the entries' reading and writing are in
// worker/stored-folders/ (connection.post.js, entries.post.js), linked
// before this file into the same scope.

/** Resolves once the wasm memory exists, and MEMFS can take files. */
var storedFoldersRuntimeReady = new Promise(function (resolve) {
  if (runtimeInitialized) resolve();
  else addOnInit(resolve);
});

Module['storedFolders'] = {
  /** Set by the worker: called with the path of a folder whose database was closed or deleted under it. */
  'onLost': null,

  /**
   * Mounts IDBFS at `path` and loads the folder's files from IndexedDB.
   * Resolves to null, or to the error if IndexedDB refused: the folder is
   * then mounted all the same, in memory only. Can be called before the
   * module's promise resolves: the stored entries are read meanwhile.
   * `onOpened(null)`, if given, is called once the database is open, before
   * its files are read.
   */
  'load': function (path, onOpened) {
    if (!FS.analyzePath(path).exists) FS.mkdir(path);
    var mount = FS.mount(IDBFS, {}, path).mount;
    return Promise.all([readStoredEntries(mount, onOpened), storedFoldersRuntimeReady])
      .then(function (read) {
        return new Promise(function (resolve, reject) {
          read[0].forEach(function (stored) {
            // IDBFS.storeLocalEntry writes to the path the key names: a
            // damaged or foreign database could overwrite any folder's files
            // (this worker's own queue). Only files of this folder are taken.
            if (!isStoredFolderFile(path, stored[0], stored[1])) return;
            IDBFS.storeLocalEntry(stored[0], stored[1], function (error) {
              if (error) reject(error);
            });
          });
          resolve(null);
        });
      })
      .catch(function (error) {
        return error;
      });
  },

  /**
   * Stores the named files of the folder in IndexedDB, in one transaction,
   * and resolves once it committed. While the folder is `lost` every file is
   * stored, whatever `names` says.
   */
  'store': function (path, names) {
    var everything = !!storedFoldersLost[path];
    return storedFolderDatabase(path)
      .then(function (db) {
        return storeFiles(db, path, everything ? storedFolderNames(path) : names);
      })
      .then(
        function () {
          if (everything) delete storedFoldersLost[path];
        },
        function (error) {
          // What a transaction on a connection closed by the page's own
          // scripts (or the browser) throws: open anew next time, store all.
          if (error && error.name === 'InvalidStateError') {
            delete IDBFS.dbs[path];
            storedFoldersLost[path] = true;
          }
          throw error;
        },
      );
  },

  /**
   * Copies the named files of the mounted folder `path` into the database
   * `asidePath`, in IDBFS's layout (entries keyed "<asidePath>/<name>"), in
   * one transaction, and resolves once it committed; rejects, with nothing
   * copied, if a file is missing or IndexedDB refuses. The database is not
   * mounted and no tab adopts it: it keeps bytes this release could not
   * read, for a release that can. Each entry's timestamp is the time it was
   * kept aside: the database is removed a while after (worker/store-registry.js).
   */
  'keepAside': function (path, names, asidePath) {
    function forget() {
      var db = IDBFS.dbs[asidePath];
      if (db) db.close();
      delete IDBFS.dbs[asidePath];
      delete storedFoldersLost[asidePath];
    }
    return storedFolderDatabase(asidePath)
      .then(function (db) {
        return new Promise(function (resolve, reject) {
          var transaction = db.transaction([IDBFS.DB_STORE_NAME], 'readwrite');
          settleWith(transaction, resolve, reject);
          var store = transaction.objectStore(IDBFS.DB_STORE_NAME);
          names.forEach(function (name) {
            IDBFS.loadLocalEntry(path + '/' + name, function (error, entry) {
              if (error) return transaction.abort();
              // Exactly the file's bytes, as storeFiles stores them.
              entry['contents'] = entry['contents'].slice();
              entry['timestamp'] = new Date();
              store.put(entry, asidePath + '/' + name);
            });
          });
        });
      })
      .then(forget, function (error) {
        forget();
        throw error;
      });
  },

  /**
   * Unmounts the folder and forgets its files in memory; with
   * `deleteDatabase`, also deletes its database (resolves also when that
   * fails or is blocked).
   */
  'drop': function (path, deleteDatabase) {
    var db = IDBFS.dbs[path];
    if (db) db.close();
    delete IDBFS.dbs[path];
    delete storedFoldersLost[path];
    try {
      FS.unmount(path);
      FS.rmdir(path);
    } catch (e) {
      // not mounted: nothing in memory to forget
    }
    if (!deleteDatabase) return Promise.resolve();
    return new Promise(function (resolve) {
      try {
        var request = IDBFS.indexedDB().deleteDatabase(path);
        request.onsuccess =
          request.onerror =
          request.onblocked =
            function () {
              resolve();
            };
      } catch (e) {
        resolve();
      }
    });
  },
};
