// A module that is nothing but Emscripten's file system with IDBFS, for
// tests/browser/idbfs.test.mjs: it reads what the worker stored, and writes
// a store as IDBFS itself does, as earlier releases of the worker did.
int main() { return 0; }
