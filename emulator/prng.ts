// Seeded PRNG (mulberry32) so fault probabilities and chaos runs repeat exactly for a given seed.

export type Random = () => number;

function seedToInt(seed: number | string): number {
  if (typeof seed === 'number') return seed >>> 0;
  // FNV-1a over the string.
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Returns a generator of floats in [0, 1). */
export function createRandom(seed: number | string): Random {
  let a = seedToInt(seed);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
