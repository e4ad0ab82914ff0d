// The stored folders' files as IDBFS entries (worker/stored-folders.post.js):
// each is one entry {timestamp, mode, contents} keyed "<path>/<name>" in the
// object store FILE_DATA of the folder's database. Read all at once while the
// wasm still compiles, written in one transaction per store. Linked into the
// module with --post-js before stored-folders.post.js, in the same scope.

/** Every stored entry of the mounted folder: [[key, entry]], read in one transaction. */
function readStoredEntries(mount, onOpened) {
  return storedFolderDatabase(mount.mountpoint).then(function () {
    if (onOpened) onOpened(null);
    return new Promise(function (resolve, reject) {
      IDBFS.getRemoteSet(mount, function (error, remote) {
        if (error) return reject(error);
        var entries = [];
        var keys = Object.keys(remote.entries);
        if (!keys.length) return resolve(entries);
        var transaction = remote.db.transaction([IDBFS.DB_STORE_NAME], 'readonly');
        settleWith(
          transaction,
          function () {
            resolve(entries);
          },
          reject,
        );
        var store = transaction.objectStore(IDBFS.DB_STORE_NAME);
        // All gets at once: IndexedDB answers them in one pass.
        keys.forEach(function (key) {
          IDBFS.loadRemoteEntry(store, key, function (error, entry) {
            if (!error && entry) entries.push([key, entry]);
          });
        });
      });
    });
  });
}

/** Names of the files in the mounted folder. */
function storedFolderNames(path) {
  return FS.readdir(path).filter(function (name) {
    return name !== '.' && name !== '..' && FS.isFile(FS.stat(path + '/' + name).mode);
  });
}

/** Writes the named files (a missing one is deleted) in one transaction; resolves once it committed. */
function storeFiles(db, path, names) {
  return new Promise(function (resolve, reject) {
    var transaction = db.transaction([IDBFS.DB_STORE_NAME], 'readwrite');
    settleWith(transaction, resolve, reject);
    var store = transaction.objectStore(IDBFS.DB_STORE_NAME);
    names.forEach(function (name) {
      var key = path + '/' + name;
      if (!FS.analyzePath(key).exists) {
        store.delete(key);
        return;
      }
      IDBFS.loadLocalEntry(key, function (error, entry) {
        if (error) return transaction.abort();
        // A copy of exactly the file's bytes: the entry's contents are a view
        // of MEMFS's larger buffer, which IndexedDB would store whole.
        entry['contents'] = entry['contents'].slice();
        store.put(entry, key);
      });
    });
  });
}

/** True if `key` names a file right inside the folder at `path` ("<path>/<name>"), and `entry` is a file's. */
function isStoredFolderFile(path, key, entry) {
  if (typeof key !== 'string' || key.indexOf(path + '/') !== 0) return false;
  var name = key.slice(path.length + 1);
  return (
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    name.indexOf('/') < 0 &&
    !!entry &&
    typeof entry['mode'] === 'number' &&
    FS.isFile(entry['mode'])
  );
}
