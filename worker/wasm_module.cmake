# The worker's wasm module: the core plus worker/binding.cpp, emitted as an
# ES module (core.mjs) and core.wasm into dist/ beside the worker script.
set(TEP_DIST_DIR "${CMAKE_SOURCE_DIR}/dist" CACHE PATH "Where the npm package's files are written")

add_executable(core worker/binding.cpp)
target_link_libraries(core PRIVATE tep_core)
set_target_properties(core PROPERTIES
  SUFFIX ".mjs"
  RUNTIME_OUTPUT_DIRECTORY "${TEP_DIST_DIR}")
set_property(TARGET core APPEND PROPERTY LINK_DEPENDS
  "${CMAKE_SOURCE_DIR}/worker/storage_bridge.post.js")

target_link_options(core PRIVATE
  # A factory function, loaded with `import createCore from './core.mjs'`;
  # as an ES module it finds core.wasm through import.meta.url, which is
  # what bundlers (Vite, webpack) rewrite correctly.
  -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createCore
  # Only ever runs in a Web Worker: drops the web/node/shell loaders.
  -sENVIRONMENT=worker
  # The queue lives in files under an IDBFS mount.
  -lidbfs.js
  # 100k queued events need more than the 16 MiB initial memory.
  -sALLOW_MEMORY_GROWTH=1
  # The worker passes strings in malloc'ed buffers: bodies can exceed the stack.
  -sEXPORTED_FUNCTIONS=_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8
  # FS and IDBFS under quoted names, so they survive minification.
  "--post-js=${CMAKE_SOURCE_DIR}/worker/storage_bridge.post.js"
  # The small allocator: the core allocates little and often; ~5 KB smaller than dlmalloc.
  -sMALLOC=emmalloc
  # Abort messages and asserts cost size and are never read in production.
  -sASSERTIONS=0
)
