// The config on the page: copied from the app's, checked where the page must
// (a field-named IllegalArgumentError with the stable id tep.config.<field>),
// and passed to the core as given. The numbers' defaults and ranges are one
// table (src/config_options.def, mirrored in config-table.js): the page
// refuses exactly the numbers the core would not take, and leaves the
// defaults to the core. The README's Config table documents them.
import { CONFIG_NUMBERS, describedRange, isAcceptedConfigNumber } from './config-table.js';
import { IllegalArgumentError } from './errors.js';
import { checkBlockedCategories } from './site-consent.js';

/** `value` as an absolute URL, resolved against the page. @param {unknown} value @param {string} field */
function checkUrl(value, field) {
  if (typeof value !== 'string' && !(value instanceof URL)) {
    throw new IllegalArgumentError(`config.${field} must be a URL (got ${typeof value})`, field);
  }
  try {
    return new URL(value, globalThis.location?.href).href;
  } catch {
    throw new IllegalArgumentError(`config.${field} must be a URL (got ${String(value)})`, field);
  }
}

/**
 * The feral event names, copied: an array of strings, or left out (undefined
 * or null). A string alone would otherwise be spread into its letters.
 * @param {unknown} value
 * @returns {string[]}
 */
function checkEventNames(value) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((name) => typeof name === 'string')) {
    throw new IllegalArgumentError('config.feralEventTypes must be an array of event names', 'feralEventTypes');
  }
  return [...value];
}

/**
 * A number the app may leave out (the core has its default) but not get wrong.
 * @param {unknown} value
 * @param {import('./config-table.js').ConfigNumberOption} option
 */
function checkNumber(value, option) {
  if (value === undefined || isAcceptedConfigNumber(option, value)) return;
  const shown = typeof value === 'number' ? String(value) : typeof value;
  throw new IllegalArgumentError(
    `config.${option.field} must be a ${option.minimum > 0 ? 'positive ' : ''}number from ${describedRange(option)} (got ${shown})`,
    option.field,
  );
}

/**
 * The app's config, copied (init keeps its own), with the checks the page
 * must make itself: the endpoints are URLs resolved against the page, the
 * numbers the core would otherwise silently replace by their defaults are in
 * their ranges, the provider can be asked. Throws IllegalArgumentError naming
 * the field. The app's value is checked here, so it may be anything.
 * @param {any} given
 * @returns {import('./index.d.ts').ConfigCopy}
 */
export function copyConfig(given) {
  if (!given || typeof given !== 'object') throw new IllegalArgumentError('init needs a config object');
  const copy = {
    ...given,
    appInfo: { ...given.appInfo },
    platform: { ...given.platform },
    blockedConsentCategories: { ...given.blockedConsentCategories },
    feralEventTypes: checkEventNames(given.feralEventTypes),
  };
  copy.tlConsumerUri = checkUrl(given.tlConsumerUri, 'tlConsumerUri');
  copy.tlPublicConsumerUri = checkUrl(given.tlPublicConsumerUri ?? given.tlConsumerUri, 'tlPublicConsumerUri');
  for (const option of CONFIG_NUMBERS) checkNumber(given[option.field], option);
  checkBlockedCategories(given.blockedConsentCategories);
  if (given.credentialsProvider && typeof given.credentialsProvider.getCredentials !== 'function') {
    throw new IllegalArgumentError('config.credentialsProvider must have getCredentials()', 'credentialsProvider');
  }
  return copy;
}

/** `value` as JSON carries it, or undefined where JSON.stringify fails (BigInt, a cycle). @param {unknown} value */
function asJson(value) {
  try {
    const text = JSON.stringify(value);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * What the wasm core reads of the config (src/producer_config.h), in TIDAL's
 * names and as given: the core applies the defaults and uses them for any
 * field that is missing or of the wrong type.
 * @param {import('./index.d.ts').ConfigCopy} c
 */
export function coreConfig(c) {
  /** @param {any} object @param {string[]} names */
  const fields = (object, names) => Object.fromEntries(names.map((name) => [name, asJson(object[name])]));
  return {
    appInfo: fields(c.appInfo, ['appName', 'appVersion']),
    // `model` and `version` are the names TIDAL's README uses.
    platform: fields(c.platform, [
      'browserName',
      'browserVersion',
      'osName',
      'osVersion',
      'deviceVendor',
      'deviceModel',
      'model',
      'version',
    ]),
    blockedConsentCategories: fields(c.blockedConsentCategories, ['PERFORMANCE', 'TARGETING']),
    ...fields(c, ['strictMode', ...CONFIG_NUMBERS.map((option) => option.field), 'feralEventTypes']),
  };
}
