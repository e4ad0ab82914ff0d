// Strings across the wasm boundary: each text is copied into the core's
// memory for the length of one call. A failed allocation (the core's memory
// can't grow) throws an error with code 'out_of_memory' (its id,
// tep.worker.out_of_memory, is added once, by whoever reports it) instead of writing at
// address 0, where it would overwrite the core's own data.

/**
 * Copies of `core`'s string helpers: `{ withCString, withCStrings }`.
 * @param {Pick<import('./core.mjs').CoreModule, '_malloc' | '_free' | 'lengthBytesUTF8' | 'stringToUTF8'>} core
 */
export function createCoreStrings(core) {
  /** Copies `text` into the core's memory; the caller frees it. @param {string} text */
  function copyIn(text) {
    const size = core.lengthBytesUTF8(text) + 1;
    const pointer = core._malloc(size);
    if (!pointer) {
      throw Object.assign(new Error(`the core could not allocate ${size} bytes`), {
        code: 'out_of_memory',
      });
    }
    core.stringToUTF8(text, pointer, size);
    return { pointer, length: size - 1 };
  }

  /**
   * Calls `use(pointer, length)` with `text` in the core's memory.
   * @template T
   * @param {string} text
   * @param {(pointer: number, length: number) => T} use
   * @returns {T}
   */
  function withCString(text, use) {
    const { pointer, length } = copyIn(text);
    try {
      return use(pointer, length);
    } finally {
      core._free(pointer);
    }
  }

  /**
   * Calls `use(...pointers)` with each text in the core's memory; null or undefined passes 0.
   * @template T
   * @param {Array<string | null | undefined>} texts
   * @param {(...pointers: number[]) => T} use
   * @returns {T}
   */
  function withCStrings(texts, use) {
    /** @type {number[]} */
    const pointers = [];
    try {
      for (const text of texts) pointers.push(text === null || text === undefined ? 0 : copyIn(text).pointer);
      return use(...pointers);
    } finally {
      for (const pointer of pointers) if (pointer) core._free(pointer);
    }
  }

  return { withCString, withCStrings };
}
