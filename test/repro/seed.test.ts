import { describe, expect, it } from 'vitest';
import { checkSeed, drawSeed } from '../../kernel-lib/src/repro/seed';

describe('drawSeed', () => {
  it('draws uint32 integers that vary', () => {
    const seeds = Array.from({ length: 200 }, () => drawSeed());
    for (const seed of seeds) {
      expect(Number.isInteger(seed)).toBe(true);
      expect(seed).toBeGreaterThanOrEqual(0);
      expect(seed).toBeLessThanOrEqual(4294967295);
      expect(checkSeed(seed)).toBe(seed);
    }
    expect(new Set(seeds).size).toBeGreaterThan(190);
  });

  it('does not depend on Math.random', () => {
    const original = Math.random;
    Math.random = () => 0.5;
    try {
      expect(new Set([drawSeed(), drawSeed(), drawSeed(), drawSeed()]).size).toBeGreaterThan(1);
    } finally {
      Math.random = original;
    }
  });
});

describe('checkSeed', () => {
  it('returns integers from 0 to 4294967295 unchanged', () => {
    for (const seed of [0, 1, 42, 2 ** 31, 4294967295]) expect(checkSeed(seed)).toBe(seed);
  });

  it('rejects everything else with the error template', () => {
    const cases: [unknown, string][] = [
      [-1, '-1'],
      [1.5, '1.5'],
      [2 ** 32, '4294967296'],
      [Number.NaN, 'NaN'],
      ['42', '"42"'],
      [null, 'null'],
      [undefined, 'undefined'],
      [42n, '42'],
    ];
    for (const [value, shown] of cases) {
      expect(() => checkSeed(value)).toThrow(
        `Invalid value for \`seed\`: expected an integer from 0 to 4294967295, received ${shown}. ` +
          'Pass a whole number in that range, or leave the seed out to draw one.',
      );
    }
  });
});
