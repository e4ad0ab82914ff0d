// The rows of src/config_options.def, the one table of the config's numbers
// (the core's defaults and ranges), read for the tests that hold the page's
// mirror (web/config-table.js) and the README's Config table to it.
import { readFileSync } from 'node:fs';

/** Each TEP_CONFIG_NUMBER(field, default, minimum, rounding) row of src/config_options.def. */
export function coreConfigNumbers() {
  const text = readFileSync(new URL('../../src/config_options.def', import.meta.url), 'utf8');
  return [...text.matchAll(/^TEP_CONFIG_NUMBER\((\w+), (-?\d+), (-?\d+), (up|down)\)$/gm)].map(
    ([, field, defaultValue, minimum, rounding]) => ({
      field,
      defaultValue: Number(defaultValue),
      minimum: Number(minimum),
      rounding,
    }),
  );
}
