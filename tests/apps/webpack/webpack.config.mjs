// The app's webpack 5 configuration, as small as an app's can be: one entry,
// production mode, the page copied beside the bundle by the test.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  context: fileURLToPath(new URL('.', import.meta.url)),
  entry: './main.js',
  output: {
    path: fileURLToPath(new URL('./dist/', import.meta.url)),
    filename: 'main.js',
    clean: true,
  },
};
