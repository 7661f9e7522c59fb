import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { keyHash, type Key } from '../../src/core/key-encoding.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import {
  assignKeyToParallelOperator,
  assignToKeyGroup,
  defaultMaxParallelism,
  keyGroupForHash,
  keyGroupRangeForOperator,
  MAX_PARALLELISM_UPPER_BOUND,
  operatorIndexForKeyGroup,
  validateParallelism,
} from '../../src/core/key-groups.js';
import { keyArb } from './key-arbitraries.js';

/** A maxParallelism in [1, 32768] and a parallelism in [1, maxParallelism]. */
const parallelismsArb = fc
  .integer({ min: 1, max: MAX_PARALLELISM_UPPER_BOUND })
  .chain((maxP) => fc.tuple(fc.constant(maxP), fc.integer({ min: 1, max: maxP })));

describe('key groups', () => {
  it('puts the int keys 0 to 4 in Flink’s key groups 94, 86, 127, 113 and 7 of 128', () => {
    expect([0, 1, 2, 3, 4].map((key) => assignToKeyGroup(key, 128))).toEqual([94, 86, 127, 113, 7]);
  });

  it('pins the worked example of docs/KEYS.md (key encoding v1 golden values)', () => {
    const rows: [Key, number, number, number][] = [
      [0, 593689054, 94, 2],
      [1, 68075478, 86, 2],
      [2, 1085422463, 127, 2],
      [3, 847579505, 113, 2],
      [4, 1889779975, 7, 0],
      ['hello', 1722696374, 54, 1],
      [['user', 42], 1969538109, 61, 1],
    ];
    for (const [key, hash, keyGroup, subtask] of rows) {
      expect([keyHash(key), assignToKeyGroup(key, 128), assignKeyToParallelOperator(key, 128, 3)]).toEqual([
        hash,
        keyGroup,
        subtask,
      ]);
    }
  });

  it('computes the key group from the hash as hash % maxParallelism', () => {
    fc.assert(
      fc.property(keyArb, fc.integer({ min: 1, max: MAX_PARALLELISM_UPPER_BOUND }), (key, maxP) => {
        const keyGroup = assignToKeyGroup(key, maxP);
        expect(keyGroup).toBe(keyGroupForHash(keyHash(key), maxP));
        expect(keyGroup).toBe(keyHash(key) % maxP);
        expect(keyGroup >= 0 && keyGroup < maxP).toBe(true);
      }),
    );
  });

  it('sends a key to the subtask whose key-group range holds its key group', () => {
    fc.assert(
      fc.property(keyArb, parallelismsArb, (key, [maxP, p]) => {
        const index = assignKeyToParallelOperator(key, maxP, p);
        expect(keyGroupRangeForOperator(maxP, p, index).contains(assignToKeyGroup(key, maxP))).toBe(true);
      }),
    );
  });
});

describe('defaultMaxParallelism', () => {
  it.each([
    [1, 128],
    [85, 128],
    [86, 256],
    [100, 256],
    [1000, 2048],
    [10922, 16384],
    [10923, 16384],
    [10924, 32768],
    [30000, 32768],
    [32768, 32768],
    [100_000, 32768],
  ])('is %i → %i', (parallelism, expected) => {
    expect(defaultMaxParallelism(parallelism)).toBe(expected);
  });

  it('does not throw for a parallelism that validation will reject', () => {
    expect(defaultMaxParallelism(0)).toBe(128);
    expect(defaultMaxParallelism(NaN)).toBe(128);
  });
});

describe('keyGroupRangeForOperator', () => {
  it('splits 128 key groups over 2 and 3 subtasks as Flink does', () => {
    expect(keyGroupRangeForOperator(128, 2, 0).toString()).toBe('KeyGroupRange{0..63}');
    expect(keyGroupRangeForOperator(128, 2, 1).toString()).toBe('KeyGroupRange{64..127}');
    expect([0, 1, 2].map((i) => keyGroupRangeForOperator(128, 3, i).toString())).toEqual([
      'KeyGroupRange{0..42}',
      'KeyGroupRange{43..85}',
      'KeyGroupRange{86..127}',
    ]);
  });

  it('handles the largest maxParallelism and parallelism', () => {
    expect(keyGroupRangeForOperator(32768, 32768, 32767).equals(KeyGroupRange.of(32767, 32767))).toBe(true);
    expect(keyGroupRangeForOperator(32768, 1, 0).equals(KeyGroupRange.of(0, 32767))).toBe(true);
    expect(operatorIndexForKeyGroup(32768, 32768, 32767)).toBe(32767);
  });

  it('partitions [0, maxP - 1] into contiguous non-empty ranges in subtask order, agreeing with operatorIndexForKeyGroup', () => {
    fc.assert(
      fc.property(parallelismsArb, fc.integer({ min: 0, max: 2 ** 30 }), ([maxP, p], salt) => {
        // Plain comparisons in the loop: p can be 32768, too many for expect() calls.
        let next = 0;
        for (let i = 0; i < p; i++) {
          const range = keyGroupRangeForOperator(maxP, p, i);
          if (range.startKeyGroup !== next || range.numberOfKeyGroups < 1) {
            throw new Error(`maxP ${maxP}, p ${p}: subtask ${i} has ${range}, expected a range from ${next}`);
          }
          // operatorIndexForKeyGroup is monotonic in the key group, so checking both ends
          // of each range checks every key group in it; one inner sample for good measure.
          const inner = range.startKeyGroup + (salt % range.numberOfKeyGroups);
          for (const keyGroup of [range.startKeyGroup, inner, range.endKeyGroup]) {
            const owner = operatorIndexForKeyGroup(maxP, p, keyGroup);
            if (owner !== i) throw new Error(`maxP ${maxP}, p ${p}: key group ${keyGroup} is in ${range} of subtask ${i} but maps to ${owner}`);
          }
          next = range.endKeyGroup + 1;
        }
        expect(next).toBe(maxP);
      }),
      { numRuns: 200 },
    );
  });

  it('agrees with operatorIndexForKeyGroup on every key group for every small configuration', () => {
    for (let maxP = 1; maxP <= 48; maxP++) {
      for (let p = 1; p <= maxP; p++) {
        const owner: number[] = [];
        for (let i = 0; i < p; i++) for (const keyGroup of keyGroupRangeForOperator(maxP, p, i)) owner[keyGroup] = i;
        for (let keyGroup = 0; keyGroup < maxP; keyGroup++) {
          expect(operatorIndexForKeyGroup(maxP, p, keyGroup)).toBe(owner[keyGroup]);
        }
      }
    }
  });

  it('rejects an operator index outside [0, parallelism - 1]', () => {
    expect(() => keyGroupRangeForOperator(128, 4, 4)).toThrow(RangeError);
    expect(() => keyGroupRangeForOperator(128, 4, -1)).toThrow(RangeError);
    expect(() => keyGroupRangeForOperator(128, 4, 1.5)).toThrow(RangeError);
  });

  it('rejects an invalid parallelism pair with a ConfigError', () => {
    expect(() => keyGroupRangeForOperator(128, 200, 0)).toThrow(ConfigError);
  });
});

describe('validateParallelism', () => {
  it('accepts a parallelism from 1 to maxParallelism', () => {
    expect(() => validateParallelism(1, 1, 'the job')).not.toThrow();
    expect(() => validateParallelism(128, 128, 'the job')).not.toThrow();
    expect(() => validateParallelism(32768, 32768, 'the job')).not.toThrow();
  });

  it('says when the parallelism exceeds maxParallelism and what to do', () => {
    expect(() => validateParallelism(200, 128, "operator 'x'")).toThrow(
      new ConfigError("operator 'x': parallelism 200 exceeds maxParallelism 128; raise maxParallelism or lower the parallelism"),
    );
  });

  it.each([0, -1, 32769, 1.5, NaN, Infinity])('rejects maxParallelism %s', (maxP) => {
    expect(() => validateParallelism(1, maxP, "operator 'x'")).toThrow(ConfigError);
    expect(() => validateParallelism(1, maxP, "operator 'x'")).toThrow(
      `operator 'x': maxParallelism ${maxP} is out of range; it must be an integer from 1 to 32768`,
    );
  });

  it.each([0, -3, 2.5, NaN])('rejects parallelism %s', (p) => {
    expect(() => validateParallelism(p, 128, "operator 'x'")).toThrow(
      `operator 'x': parallelism ${p} is invalid; it must be an integer of at least 1`,
    );
  });
});
