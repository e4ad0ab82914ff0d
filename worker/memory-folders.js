// The files the wasm core keeps its queue in: folders of byte arrays in the
// worker's memory, read and written by the core through
// worker/worker_file_store.cpp. Every file the core changes is remembered,
// so a sync stores just those (stored-folders.js) and its work depends on
// what changed, not on how deep the queue is.

// Appends grow a file's buffer to at least twice its size, so appending n
// bytes one record at a time copies O(n) bytes in all.
const GROWTH_FACTOR = 2;

export function createMemoryFolders() {
  const folders = new Map(); // folder path → Map(file name → { buffer: Uint8Array, size })
  const changed = new Map(); // folder path → Set of names changed since takeChanged()

  function filesOf(folder) {
    let files = folders.get(folder);
    if (!files) folders.set(folder, (files = new Map()));
    return files;
  }

  function markChanged(folder, name) {
    let names = changed.get(folder);
    if (!names) changed.set(folder, (names = new Set()));
    names.add(name);
  }

  return {
    /** Names of the files in `folder`. */
    list: (folder) => [...(folders.get(folder)?.keys() ?? [])],

    /** A file's bytes, as a view valid until the file next changes; undefined if missing. */
    contents(folder, name) {
      const file = folders.get(folder)?.get(name);
      return file && file.buffer.subarray(0, file.size);
    },

    /** Appends a copy of `bytes` to the file, creating it if missing. */
    append(folder, name, bytes) {
      const files = filesOf(folder);
      let file = files.get(name);
      if (!file) files.set(name, (file = { buffer: new Uint8Array(0), size: 0 }));
      const size = file.size + bytes.length;
      if (size > file.buffer.length) {
        const grown = new Uint8Array(Math.max(size, file.buffer.length * GROWTH_FACTOR));
        grown.set(file.buffer.subarray(0, file.size));
        file.buffer = grown;
      }
      file.buffer.set(bytes, file.size);
      file.size = size;
      markChanged(folder, name);
    },

    /** Replaces the file's content with a copy of `bytes`. */
    write(folder, name, bytes) {
      filesOf(folder).set(name, { buffer: bytes.slice(), size: bytes.length });
      markChanged(folder, name);
    },

    remove(folder, name) {
      filesOf(folder).delete(name);
      markChanged(folder, name);
    },

    /**
     * Puts files loaded from storage ([{ name, contents }]) into `folder`; they
     * are not changes, since storage holds them already. The folder keeps the
     * arrays it is given.
     */
    fill(folder, files) {
      const into = filesOf(folder);
      for (const { name, contents } of files) into.set(name, { buffer: contents, size: contents.length });
    },

    /** Forgets the folder and its files. */
    drop(folder) {
      folders.delete(folder);
      changed.delete(folder);
    },

    /** Names of the folder's files changed since the last call, each once. */
    takeChanged(folder) {
      const names = [...(changed.get(folder) ?? [])];
      changed.delete(folder);
      return names;
    },
  };
}
