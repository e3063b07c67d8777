// A seeded pseudo-random generator for `Math.random()` inside queries and mutations
// (sfc32: small, fast, passes PractRand; the seed is 128 bits from the platform's CSPRNG).

/** Returns a function yielding uniform floats in [0, 1) from `seed` (four u32 words). */
export function seededRandom(seed: Uint32Array): () => number {
  let a = seed[0]! | 0, b = seed[1]! | 0, c = seed[2]! | 0, d = seed[3]! | 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seed before the first value is used
  return next;
}

/** A fresh random 128-bit seed. */
export function newSeed(): Uint32Array {
  return crypto.getRandomValues(new Uint32Array(4));
}
