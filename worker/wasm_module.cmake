# The worker's wasm module: the core plus worker/binding.cpp, with Emscripten's
# file system and IDBFS (worker/stored-folders.post.js and its parts in
# worker/stored-folders/),
# emitted as an ES module (core.mjs) and core.wasm into module/ of the build folder;
# scripts/bundle.mjs bundles core.mjs into dist/worker.js and copies core.wasm
# beside it.

# worker/integer_snprintf.cpp replaces libc's snprintf by its integer-only
# formatter (the file says why).
# The core's sources are compiled again here rather than linked from tep_core:
# the shipped module gets size-only flags that the wasm tests must not have
# (Catch2 needs exceptions and RTTI).
add_executable(core worker/binding.cpp worker/integer_snprintf.cpp ${TEP_CORE_SOURCES})
target_include_directories(core PRIVATE "${CMAKE_SOURCE_DIR}/src" "${CMAKE_SOURCE_DIR}/worker" "${TEP_THIRD_PARTY_INCLUDE}")
target_compile_options(core PRIVATE
  # Link-time optimisation lets wasm-ld drop and inline across files: ~9 % smaller wasm.
  -flto
  # The core reports errors as values and never throws or uses typeid: the
  # unwinding tables and type info would be dead weight (~4 % of the wasm).
  -fno-exceptions -fno-rtti)
# Restoring the queue parses and checksums every stored byte: -Oz code does
# that ~2.4x slower than -O2 (10k events: 48 ms against 20 ms in node), for a
# few hundred bytes more of wasm.
set_source_files_properties(src/event_queue.cpp src/queue_file_format.cpp src/queue_index.cpp
  src/record_checksum.cpp
  TARGET_DIRECTORY core PROPERTIES COMPILE_OPTIONS "-O2")
# Closure (ADVANCED) shrinks the Emscripten JS glue from ~20 KB to ~12 KB gz.
# Emscripten 3.1.6 speaks the flags of the closure release of its time
# (20220104, pinned in package.json); newer ones reject its --language_in.
set(TEP_CLOSURE_COMPILER "${CMAKE_SOURCE_DIR}/node_modules/.bin/google-closure-compiler")
set_target_properties(core PROPERTIES CXX_LINKER_LAUNCHER
  "${CMAKE_COMMAND};-E;env;NODE_PATH=/usr/share/nodejs;EM_CLOSURE_COMPILER=${TEP_CLOSURE_COMPILER}")
set_target_properties(core PROPERTIES
  SUFFIX ".mjs"
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/module")

target_link_options(core PRIVATE
  -flto -fno-exceptions -fno-rtti
  --closure=1
  # A factory function, loaded with `import createCore from './core.mjs'`;
  # as an ES module it finds core.wasm through import.meta.url, which is
  # what bundlers (Vite, webpack) rewrite correctly.
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createCore
  # Only ever runs in a Web Worker: drops the web/node/shell loaders.
  -sENVIRONMENT=worker
  # The queue's folder is an IDBFS mount: the core's file calls land in
  # MEMFS, and IDBFS loads and stores the files in IndexedDB.
  -lidbfs.js
  # The worker's calls into FS and IDBFS, compiled with the glue so closure
  # renames them consistently: the folders' database connections, their
  # files' entries, then the API the worker calls (Module.storedFolders).
  # emcc concatenates its --post-js files in this order into one scope.
  "SHELL:--post-js ${CMAKE_SOURCE_DIR}/worker/stored-folders/connection.post.js"
  "SHELL:--post-js ${CMAKE_SOURCE_DIR}/worker/stored-folders/entries.post.js"
  "SHELL:--post-js ${CMAKE_SOURCE_DIR}/worker/stored-folders.post.js"
  # 100k queued events need more than the 16 MiB initial memory.
  -sALLOW_MEMORY_GROWTH=1
  # The worker passes strings in malloc'ed buffers: bodies can exceed the stack.
  -sEXPORTED_FUNCTIONS=_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8
  # The small allocator: the core allocates little and often; ~5 KB smaller than dlmalloc.
  -sMALLOC=emmalloc
  # Abort messages and asserts cost size and are never read in production.
  -sASSERTIONS=0
  # The worker passes only locateFile, onAbort (an aborted core closes its
  # worker, which the page then replaces) and instantiateWasm (for the module
  # the page compiled while the worker started), and its own `host`, read by
  # the EM_JS calls: the glue need not handle the other Module options
  # (~0.3 KB gz).
  -sINCOMING_MODULE_JS_API=[locateFile,onAbort,instantiateWasm]
  # Workers always have TextDecoder: no fallback UTF-8 decoder in the glue.
  -sTEXTDECODER=2
  # No eval or new Function in the glue, so a CSP without 'unsafe-eval' works.
  -sDYNAMIC_EXECUTION=0
)
# The module is linked again when its post-js files change.
set_target_properties(core PROPERTIES LINK_DEPENDS
  "${CMAKE_SOURCE_DIR}/worker/stored-folders/connection.post.js;${CMAKE_SOURCE_DIR}/worker/stored-folders/entries.post.js;${CMAKE_SOURCE_DIR}/worker/stored-folders.post.js")
# Emscripten runs Binaryen's optimiser once at link; running it again until
# nothing changes (--converge) takes another ~1 KB (~0.4 KB gz) off core.wasm.
# Binaryen's wasm-opt comes with Debian's emscripten package.
find_program(TEP_WASM_OPT wasm-opt REQUIRED)
add_custom_command(TARGET core POST_BUILD
  COMMAND "${TEP_WASM_OPT}" -Oz --converge "$<TARGET_FILE_DIR:core>/core.wasm" -o "$<TARGET_FILE_DIR:core>/core.wasm"
  VERBATIM)
