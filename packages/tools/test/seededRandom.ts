/** A small deterministic generator (mulberry32) so property-style tests replay exactly. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const nextU32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  /** Uniform in [0, max) for max < 2^64. */
  const bigintBelow = (max: bigint): bigint => ((BigInt(nextU32()) << 32n) | BigInt(nextU32())) % max;
  const intBelow = (max: number): number => nextU32() % max;
  const pick = <T>(items: readonly T[]): T => {
    const item = items[intBelow(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  return { nextU32, bigintBelow, intBelow, pick };
}
