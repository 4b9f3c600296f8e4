// The search's only source of chance: a seeded generator (SplitMix32 to spread the seed, then xoshiro128**),
// so the same seed replays the same search.
export type Random = {
  /** A float in [0, 1). */
  readonly next: () => number;
  /** A whole number in [0, n). */
  readonly below: (n: number) => number;
};

const splitMix32 = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
};

export const seededRandom = (seed: number): Random => {
  const spread = splitMix32(seed);
  let a = spread();
  let b = spread();
  let c = spread();
  let d = spread();
  const nextUint = (): number => {
    const result = Math.imul(rotate(Math.imul(b, 5), 7), 9) >>> 0;
    const shifted = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= shifted;
    d = rotate(d, 11);
    return result;
  };
  const next = () => nextUint() / 4294967296;
  return { next, below: (n) => Math.floor(next() * n) };
};

const rotate = (x: number, k: number) => (x << k) | (x >>> (32 - k));
