// A stand-in for the wasm module (worker/core.d.mts's CoreModule) for the
// worker's Node tests: strings copied in are kept by address, every `_tep_*`
// call is recorded with the strings it was given, and each export returns
// what the test sets in `returns`.

/**
 * `returns`: export name → what it returns (a string is returned at an
 * address UTF8ToString reads it from). `capacity`: the largest allocation
 * that succeeds.
 */
export function fakeCoreModule({ returns = {}, capacity = Infinity } = {}) {
  const calls = [];
  const memory = new Map(); // address → text
  const freed = [];
  let next = 8;
  const module = {
    calls,
    memory,
    freed,
    lengthBytesUTF8: (text) => Buffer.byteLength(text),
    _malloc: (size) => (size > capacity ? 0 : (next += size + 8)),
    _free: (pointer) => freed.push(pointer),
    stringToUTF8: (text, pointer) => memory.set(pointer, text),
    UTF8ToString: (pointer) => memory.get(pointer) ?? '',
  };
  const exportNames = [
    'create',
    'restore',
    'adopt',
    'send_events',
    'count_refused_on_page',
    'tick',
    'flush',
    'send_keepalive',
    'leaving_batch',
    'next_wake',
    'on_answered',
    'on_response',
    'set_consent',
    'set_credentials',
    'set_online',
    'claim_leaving_batch',
    'persist_state',
    'take_changed_files',
    'storage_generation',
    'outage',
    'retry_early',
    'stats',
  ];
  for (const name of exportNames) {
    module[`_tep_${name}`] = (...args) => {
      // Pointers the test can read: each argument that addresses a string is recorded as that string.
      calls.push({ name, args: args.map((arg) => (memory.has(arg) ? memory.get(arg) : arg)) });
      const value = typeof returns[name] === 'function' ? returns[name](...args) : returns[name];
      if (typeof value !== 'string') return value ?? 0;
      const pointer = (next += 1024);
      memory.set(pointer, value);
      return pointer;
    };
  }
  return module;
}
