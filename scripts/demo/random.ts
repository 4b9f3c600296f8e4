// A seeded random source: the same run id gives the same wave, so a resumed run sends the same requests.
export type Random = {
  /** A float in [0, 1). */
  readonly next: () => number;
};

/** FNV-1a over the seed text, then mulberry32: small, fast, and good enough for demo data. */
export const seededRandom = (seed: string): Random => {
  let state = 0x811c9dc5;
  for (const char of seed) state = Math.imul(state ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return {
    next: () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let mixed = state;
      mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
      mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
      return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
    },
  };
};

export const between = (random: Random, min: number, max: number): number => min + random.next() * (max - min);

export const integerBetween = (random: Random, min: number, max: number): number => Math.floor(between(random, min, max + 1));

export const chance = (random: Random, probability: number): boolean => random.next() < probability;

export const pick = <T>(random: Random, items: readonly [T, ...T[]]): T => items[Math.floor(random.next() * items.length)] ?? items[0];

/** Picks by weight: `[[value, weight], ...]`. */
export const weighted = <T>(random: Random, choices: readonly [readonly [T, number], ...(readonly [T, number])[]]): T => {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random.next() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return choices[0][0];
};

export const roundTo = (value: number, decimals: number): number => Math.round(value * 10 ** decimals) / 10 ** decimals;
