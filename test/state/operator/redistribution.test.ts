import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestoreError } from '../../../src/core/errors.js';
import type { OperatorStateEntry, OperatorStateSnapshot } from '../../../src/state/operator/operator-state-snapshot.js';
import {
  redistributeBroadcast,
  redistributeEvenSplit,
  redistributeOperatorState,
  redistributeUnion,
} from '../../../src/state/operator/redistribution.js';

/** Old instance lists whose items name their origin, e.g. `'2:0'` = first item of old subtask 2. */
function labelled(counts: readonly number[]): string[][] {
  return counts.map((count, subtask) => Array.from({ length: count }, (_, i) => `${subtask}:${i}`));
}

const EXPLICIT_PAIRS: readonly (readonly [number, number])[] = [
  [3, 5],
  [5, 2],
  [1, 7],
  [4, 4],
  [7, 1],
];

/** Old per-instance item counts (length = old parallelism) and a new parallelism. */
const rescaling: fc.Arbitrary<{ counts: number[]; newP: number }> = fc
  .oneof(
    fc.constantFrom(...EXPLICIT_PAIRS),
    fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 })),
  )
  .chain(([oldP, newP]) =>
    fc.record({
      counts: fc.array(fc.integer({ min: 0, max: 25 }), { minLength: oldP, maxLength: oldP }),
      newP: fc.constant(newP),
    }),
  );

describe('redistributeEvenSplit', () => {
  it('splits 7 items onto 3 instances as 3, 2 and 2 contiguous runs', () => {
    const result = redistributeEvenSplit([['a', 'b', 'c'], ['d', 'e'], ['f', 'g']], 3);
    expect(result).toEqual([['a', 'b', 'c'], ['d', 'e'], ['f', 'g']]);
    const moved = redistributeEvenSplit([['a'], ['b', 'c', 'd', 'e', 'f', 'g']], 3);
    expect(moved).toEqual([['a', 'b', 'c'], ['d', 'e'], ['f', 'g']]);
  });

  it('concatenates in old-subtask order before cutting', () => {
    expect(redistributeEvenSplit([[1, 2], [], [3], [4, 5, 6]], 2)).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('gives empty lists to the last instances when there are fewer items than instances', () => {
    expect(redistributeEvenSplit([[1], [2]], 4)).toEqual([[1], [2], [], []]);
    expect(redistributeEvenSplit([], 3)).toEqual([[], [], []]);
  });

  it('does not mutate its input', () => {
    const old = [[1, 2], [3]];
    redistributeEvenSplit(old, 3);
    expect(old).toEqual([[1, 2], [3]]);
  });

  it('keeps array items intact instead of flattening them', () => {
    expect(redistributeEvenSplit([[[1, 2]], [[3]]], 1)).toEqual([[[1, 2], [3]]]);
  });

  it('rejects a new parallelism that is not a positive integer', () => {
    expect(() => redistributeEvenSplit([[1]], 0)).toThrow(RangeError);
    expect(() => redistributeEvenSplit([[1]], 1.5)).toThrow(RangeError);
  });

  it.each(EXPLICIT_PAIRS)('loses, duplicates and reorders nothing when scaling %i → %i', (oldP, newP) => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: oldP, maxLength: oldP }), (counts) => {
        const old = labelled(counts);
        const result = redistributeEvenSplit(old, newP);
        expect(result).toHaveLength(newP);
        expect(result.flat()).toEqual(old.flat());
      }),
    );
  });

  it('loses, duplicates and reorders nothing for any old and new parallelism', () => {
    fc.assert(
      fc.property(rescaling, ({ counts, newP }) => {
        const old = labelled(counts);
        const result = redistributeEvenSplit(old, newP);
        expect(result).toHaveLength(newP);
        expect(result.flat()).toEqual(old.flat());
      }),
      { numRuns: 500 },
    );
  });

  it('gives sizes that differ by at most one, the larger ones first', () => {
    fc.assert(
      fc.property(rescaling, ({ counts, newP }) => {
        const total = counts.reduce((a, b) => a + b, 0);
        const sizes = redistributeEvenSplit(labelled(counts), newP).map((l) => l.length);
        const extra = total % newP;
        const base = Math.floor(total / newP);
        sizes.forEach((size, i) => expect(size).toBe(base + (i < extra ? 1 : 0)));
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
      }),
      { numRuns: 500 },
    );
  });
});

describe('redistributeUnion', () => {
  it('gives every new instance all items in old-subtask order', () => {
    expect(redistributeUnion([['a'], ['b', 'c']], 3)).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
  });

  it('returns distinct arrays so one instance cannot change another', () => {
    const [a, b] = redistributeUnion([[1]], 2);
    a!.push(2);
    expect(b).toEqual([1]);
  });

  it('gives every instance everything for any old and new parallelism', () => {
    fc.assert(
      fc.property(rescaling, ({ counts, newP }) => {
        const old = labelled(counts);
        const result = redistributeUnion(old, newP);
        expect(result).toHaveLength(newP);
        for (const items of result) expect(items).toEqual(old.flat());
      }),
      { numRuns: 300 },
    );
  });
});

describe('redistributeBroadcast', () => {
  it('gives new instance i the old copy i mod oldP', () => {
    expect(redistributeBroadcast(['x', 'y', 'z'], 5)).toEqual(['x', 'y', 'z', 'x', 'y']);
    expect(redistributeBroadcast(['x', 'y', 'z', 'w', 'v'], 2)).toEqual(['x', 'y']);
    expect(redistributeBroadcast(['x'], 7)).toEqual(Array(7).fill('x'));
  });

  it('copies according to i mod oldP for any old and new parallelism', () => {
    fc.assert(
      fc.property(rescaling, ({ counts, newP }) => {
        const copies = counts.map((_, subtask) => ({ subtask }));
        const result = redistributeBroadcast(copies, newP);
        expect(result).toHaveLength(newP);
        result.forEach((copy, i) => expect(copy).toBe(copies[i % copies.length]));
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to hand out copies when there are none', () => {
    expect(() => redistributeBroadcast([], 2)).toThrow(RangeError);
  });
});

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const serializer = { id: 'eddy.msgpack', version: 1 };

function split(name: string, ...items: number[]): OperatorStateEntry {
  return { name, mode: 'split', descriptorVersion: 1, serializer, items: items.map((v) => bytes(v)) };
}
function union(name: string, ...items: number[]): OperatorStateEntry {
  return { name, mode: 'union', descriptorVersion: 1, serializer, items: items.map((v) => bytes(v)) };
}
function broadcast(name: string, tag: number): OperatorStateEntry {
  return {
    name,
    mode: 'broadcast',
    descriptorVersion: 1,
    serializer,
    keySerializer: serializer,
    entries: [[bytes(tag), bytes(tag * 10)]],
  };
}
const itemsOf = (snapshot: OperatorStateSnapshot, name: string): number[] => {
  const state = snapshot.states.find((s) => s.name === name);
  if (state === undefined || state.mode === 'broadcast') throw new Error(`no list state ${name}`);
  return state.items.map((b) => b[0]!);
};
const tagOf = (snapshot: OperatorStateSnapshot, name: string): number => {
  const state = snapshot.states.find((s) => s.name === name);
  if (state?.mode !== 'broadcast') throw new Error(`no broadcast state ${name}`);
  return state.entries[0]![0][0]!;
};

describe('redistributeOperatorState', () => {
  it('applies each state’s own mode when scaling 3 → 5', () => {
    const old: OperatorStateSnapshot[] = [
      { states: [split('offsets', 1, 2, 3), union('seen', 1), broadcast('rules', 0)] },
      { states: [split('offsets', 4, 5), union('seen', 2), broadcast('rules', 1)] },
      { states: [split('offsets', 6, 7), union('seen', 3), broadcast('rules', 2)] },
    ];
    const result = redistributeOperatorState(old, 5);
    expect(result.map((s) => itemsOf(s, 'offsets'))).toEqual([[1, 2], [3, 4], [5], [6], [7]]);
    for (const s of result) expect(itemsOf(s, 'seen')).toEqual([1, 2, 3]);
    expect(result.map((s) => tagOf(s, 'rules'))).toEqual([0, 1, 2, 0, 1]);
    for (const s of result) expect(s.states.map((x) => x.name)).toEqual(['offsets', 'rules', 'seen']);
  });

  it('handles states that only some old instances have', () => {
    const old: OperatorStateSnapshot[] = [
      { states: [split('a', 1)] },
      { states: [] },
      { states: [split('a', 2, 3), broadcast('b', 7)] },
      { states: [broadcast('b', 9)] },
    ];
    const result = redistributeOperatorState(old, 3);
    expect(result.map((s) => itemsOf(s, 'a'))).toEqual([[1], [2], [3]]);
    // the copies of 'b' are those of old subtasks 2 and 3, handed out round robin
    expect(result.map((s) => tagOf(s, 'b'))).toEqual([7, 9, 7]);
  });

  it('keeps every state name on every new instance, even when it has no items there', () => {
    const result = redistributeOperatorState([{ states: [split('a', 1)] }], 3);
    expect(result.map((s) => itemsOf(s, 'a'))).toEqual([[1], [], []]);
  });

  it('gives empty snapshots when there is no old state', () => {
    expect(redistributeOperatorState([], 3)).toEqual([{ states: [] }, { states: [] }, { states: [] }]);
    expect(redistributeOperatorState([{ states: [] }, { states: [] }], 2)).toEqual([{ states: [] }, { states: [] }]);
  });

  it('fails with a RestoreError naming the state when old instances disagree on its mode', () => {
    const old: OperatorStateSnapshot[] = [{ states: [split('offsets', 1)] }, { states: [union('offsets', 2)] }];
    expect(() => redistributeOperatorState(old, 2)).toThrow(RestoreError);
    expect(() => redistributeOperatorState(old, 2)).toThrow(/'offsets'.*mode 'split'.*'union'/);
  });

  it('fails with a RestoreError when old instances disagree on the descriptor version', () => {
    const v2 = { ...split('x', 1), descriptorVersion: 2 };
    expect(() => redistributeOperatorState([{ states: [split('x', 1)] }, { states: [v2] }], 1)).toThrow(
      /'x' has descriptor version 1 on old subtask 0 but 2 on old subtask 1/,
    );
  });

  it('conserves every split item and gives every instance every union item for any rescaling', () => {
    fc.assert(
      fc.property(rescaling, ({ counts, newP }) => {
        let next = 0;
        const old: OperatorStateSnapshot[] = counts.map((count, subtask) => ({
          states: [
            split('s', ...Array.from({ length: count }, () => next++ % 256)),
            union('u', subtask),
            broadcast('b', subtask),
          ],
        }));
        const result = redistributeOperatorState(old, newP);
        expect(result).toHaveLength(newP);
        expect(result.flatMap((s) => itemsOf(s, 's'))).toEqual(old.flatMap((s) => itemsOf(s, 's')));
        for (const s of result) expect(itemsOf(s, 'u')).toEqual(counts.map((_, i) => i));
        result.forEach((s, i) => expect(tagOf(s, 'b')).toBe(i % counts.length));
      }),
      { numRuns: 300 },
    );
  });
});
