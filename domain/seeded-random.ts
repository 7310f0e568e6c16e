/**
 * Seeded pseudo-random numbers for reproducible synthetic data (never Math.random: a seed must give the same
 * file on every machine and every run).
 */

// Module-level aliases: a global lookup of Math per call is ~25x slower inside a vm context (jest, sandboxes).
const { imul, sqrt, log, sin, cos, PI } = Math;

/** A source of uniform numbers in [0, 1). */
export type Uniform = () => number;

/**
 * mulberry32: a 32-bit state generator, small and fast, good enough for simulation (not for cryptography).
 * `seed` is taken modulo 2^32, so any integer is a valid seed.
 */
export function mulberry32(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Standard normal draws by the Box-Muller transform; each pair of uniforms gives two normals, the second is kept for the next call. */
export function normalSource(uniform: Uniform): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    // 1 - u lies in (0, 1]: the logarithm stays finite.
    const radius = sqrt(-2 * log(1 - uniform()));
    const angle = 2 * PI * uniform();
    spare = radius * sin(angle);
    return radius * cos(angle);
  };
}
