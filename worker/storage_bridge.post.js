// Gives the worker's JS the file system calls it needs under quoted names,
// so they survive minification of the Emscripten glue.
Module['storage'] = {
  'mountPersistent': function (path) {
    try { FS.mkdir(path); } catch (e) { /* already there */ }
    FS.mount(IDBFS, {}, path);
  },
  'mountMemory': function (path) {
    try { FS.mkdir(path); } catch (e) { /* already there */ }
  },
  'unmount': function (path) { try { FS.unmount(path); } catch (e) { /* not mounted */ } },
  // IndexedDB → memory, once at start (IDBFS's own populate).
  'load': function (callback) { FS.syncfs(true, callback); },
  // Memory → IndexedDB for just the named files of the mount at `mountpoint`,
  // in one transaction, as IDBFS's own sync would store them (same database,
  // keys and values, so IDBFS loads them back at start): files that exist
  // are put, files that don't are deleted. The callback runs once the
  // transaction has committed.
  'storeFiles': function (mountpoint, names, callback) {
    IDBFS.getDB(mountpoint, function (error, db) {
      if (error) return callback(error);
      var done = false;
      var finish = function (e) { if (!done) { done = true; callback(e); } };
      try {
        var transaction = db.transaction([IDBFS.DB_STORE_NAME], 'readwrite');
        transaction.oncomplete = function () { finish(null); };
        transaction.onabort = function () { finish(transaction.error || new Error('IndexedDB transaction aborted')); };
        var store = transaction.objectStore(IDBFS.DB_STORE_NAME);
        names.forEach(function (name) {
          var path = mountpoint + '/' + name;
          var node = null;
          try { node = FS.lookupPath(path).node; } catch (e) { /* gone */ }
          if (node && FS.isFile(node.mode)) {
            // A copy of exactly the file's bytes: MEMFS buffers carry spare capacity.
            var contents = MEMFS.getFileDataAsTypedArray(node).slice(0, node.usedBytes);
            store.put({ 'timestamp': new Date(node.timestamp), 'mode': node.mode, 'contents': contents }, path);
          } else {
            store.delete(path);
          }
        });
      } catch (e) {
        finish(e);
      }
    });
  },
  'list': function (path) { return FS.readdir(path).filter(function (n) { return n !== '.' && n !== '..'; }); },
  'remove': function (path) { FS.unlink(path); },
  'size': function (path) { return FS.stat(path).size; },
  'writeFile': function (path, bytes) { FS.writeFile(path, bytes); },
  'makeFolder': function (path) { try { FS.mkdir(path); } catch (e) { /* already there */ } },
  'removeFolder': function (path) {
    try {
      FS.readdir(path).forEach(function (n) { if (n !== '.' && n !== '..') FS.unlink(path + '/' + n); });
      FS.rmdir(path);
    } catch (e) { /* already gone */ }
  },
};
