// webpack 5 finds the worker and core.wasm through the package's
// new URL(…, import.meta.url) and emits them with the build.
import { runApp } from '../send-events.js';

runApp({ appName: 'webpack-app' });
