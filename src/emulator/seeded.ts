/**
 * Deterministic pseudo-random numbers derived from (seed, index, salt), so any record of a
 * generated district can be rebuilt on its own without generating the ones before it. That is
 * what lets the emulator serve a million students without holding them in memory.
 */

/** Turns a seed (string or number) into a 32-bit integer; equal seeds give equal results. */
export function seedHash(seed: string | number): number {
  const text = String(seed);
  // FNV-1a, then a murmur3 finaliser so that short, similar seeds still differ in every bit.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

/** A 32-bit unsigned hash of (seed, index, salt): the generator's only source of randomness. */
export function mix(seed: number, index: number, salt: number): number {
  // Indices reach a few million, so both halves of a float-safe index are folded in.
  let h = seed ^ Math.imul(salt + 0x9e3779b9, 0x85ebca6b);
  h = fmix(h ^ (index >>> 0));
  h = fmix(h ^ Math.floor(index / 0x100000000));
  return h >>> 0;
}

/** A uniform integer in [0, n) from a hash. */
export function below(hash: number, n: number): number {
  return Math.floor((hash / 0x100000000) * n);
}

/** The element of a non-empty list chosen by a hash. */
export function pick<T>(list: readonly T[], hash: number): T {
  return list[below(hash, list.length)] as T;
}

/** Whether a hash falls in the first `percent` percent of its range. */
export function chance(hash: number, percent: number): boolean {
  return hash < (percent / 100) * 0x100000000;
}

/** Murmur3's 32-bit finaliser: avalanches every input bit into every output bit. */
function fmix(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
