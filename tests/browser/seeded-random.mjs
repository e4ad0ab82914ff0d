// Random numbers from a seed, for tests that interrupt the producer at random
// moments: a fixed seed makes a failing interleaving reproducible.

/** A function returning numbers in [0, 1), the same sequence for the same `seed` (a linear congruential generator). */
export function seededRandom(seed) {
  let state = seed;
  return () => {
    // glibc's rand() constants, modulo 2^31.
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}
