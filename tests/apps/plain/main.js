// The worker and core.wasm are not beside the module here: the app says
// where it hosts them.
import { runApp } from '../send-events.js';

runApp({
  appName: 'plain-app',
  producerFiles: { workerUrl: '/assets/workers/worker.js', wasmUrl: '/assets/wasm/core.wasm' },
});
