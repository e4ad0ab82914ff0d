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
  // populate = true: IndexedDB → memory; false: memory → IndexedDB.
  'sync': function (populate, callback) { FS.syncfs(populate, callback); },
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
