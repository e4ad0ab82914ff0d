// The numbers of the config init() takes: their ranges and rounding, as
// src/config_options.def defines them for the core (the page checks with
// this mirror; tests/web/config.test.mjs holds the two equal). Their
// defaults are the core's alone: the page leaves a number out and the core
// applies its default. The README's Config table documents both.

/** 2^53, the largest number any field takes (src/config_options.h says why). */
export const LARGEST_CONFIG_NUMBER = 2 ** 53;

/** @typedef {Readonly<{ field: string, minimum: number, rounding: 'up' | 'down' }>} ConfigNumberOption */

/**
 * Each number of the config: `minimum` the smallest whole number it takes
 * once a fraction is rounded `rounding`.
 * @type {ReadonlyArray<ConfigNumberOption>}
 */
export const CONFIG_NUMBERS = Object.freeze([
  Object.freeze({ field: 'eventBatchInterval', minimum: 1, rounding: 'up' }),
  Object.freeze({ field: 'maxBackoffMs', minimum: 1, rounding: 'up' }),
  Object.freeze({ field: 'monitoringInterval', minimum: 1, rounding: 'up' }),
  Object.freeze({ field: 'maxDiskUsageBytes', minimum: 1, rounding: 'down' }),
  Object.freeze({ field: 'maxInFlightBatches', minimum: 1, rounding: 'down' }),
  Object.freeze({ field: 'eventTtlMs', minimum: 0, rounding: 'down' }),
]);

/**
 * Whether `value` is a number whose value, rounded as `option` says, is in
 * the option's range. The core (src/config_options.cpp) accepts exactly the
 * same values, and keeps the default for any other.
 * @param {{ minimum: number, rounding: 'up' | 'down' }} option
 * @param {unknown} value
 */
export function isAcceptedConfigNumber(option, value) {
  if (typeof value !== 'number') return false;
  const rounded = option.rounding === 'up' ? Math.ceil(value) : Math.floor(value);
  // NaN fails both comparisons, as it does in the core.
  return rounded >= option.minimum && rounded <= LARGEST_CONFIG_NUMBER;
}

/**
 * The range of `option` as the README's Config table states it.
 * @param {{ minimum: number, rounding: 'up' | 'down' }} option
 */
export function describedRange(option) {
  return `${option.minimum} to 2^53, a fraction rounded ${option.rounding}`;
}
