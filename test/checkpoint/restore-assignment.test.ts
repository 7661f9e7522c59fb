/**
 * Restore assignment of source positions: a splittable source's splits are dealt out to
 * a new parallelism (concatenated in old-subtask order, even split), positions stay with
 * their subtask index when the parallelism is unchanged, and everything that would lose
 * or invent positions is refused with a RestoreError. Also the maxParallelism a restored
 * job inherits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointMetadata, OperatorState, OperatorSubtaskState } from '../../src/checkpoint/checkpoint-metadata.js';
import { assignRestore, redistributeSplits, restoredMaxParallelism } from '../../src/checkpoint/restore/restore-assignment.js';
import type { RestoreTargetVertex } from '../../src/checkpoint/restore/restore-assignment.js';
import { RestoreError } from '../../src/core/errors.js';

interface Range {
  readonly next: number;
  readonly end: number;
}

const DIR = '/checkpoints/job/chk-7';

function metadata(operators: readonly OperatorState[]): CheckpointMetadata {
  return {
    format: 'eddy-checkpoint',
    version: 1,
    jobId: 'job',
    checkpointId: 7,
    kind: 'savepoint',
    triggerTimestamp: 0,
    completionTimestamp: 0,
    operators,
  };
}

/** A source operator whose old subtask i recorded `positions[i]` (none where undefined). */
function sourceState(uid: string, positions: readonly unknown[], maxParallelism = 128): OperatorState {
  const subtasks: OperatorSubtaskState[] = positions.flatMap((p, i) => (p === undefined ? [] : [{ subtaskIndex: i, sourcePosition: p }]));
  return { uid, name: 'Source: Sequence', parallelism: positions.length, maxParallelism, subtasks };
}

/** A vertex with one source; `splittable: 'unset'` leaves the field out, as a target built before it existed. */
function sourceVertex(uid: string, parallelism: number, splittable: boolean | 'unset' = true): RestoreTargetVertex {
  return {
    id: 0,
    parallelism,
    maxParallelism: 128,
    operators: [{ uid, name: 'Source: Sequence', isSource: true, keyed: false, ...(splittable === 'unset' ? {} : { splittable }) }],
  };
}

/** The restored position of every new subtask (undefined where none is restored). */
function restoredPositions(meta: CheckpointMetadata, vertex: RestoreTargetVertex): unknown[] {
  const assigned = assignRestore(meta, DIR, [vertex]);
  return Array.from({ length: vertex.parallelism }, (_, i) => {
    const task = assigned.get(`${vertex.id}:${i}`);
    if (!task) throw new Error(`no descriptor for subtask ${i}`);
    return task.operators.find((o) => o.uid === vertex.operators[0]!.uid)?.sourcePosition?.value;
  });
}

/** Old positions: `splitsPerSubtask[i]` disjoint ranges for old subtask i, laid out one after another. */
function oldRanges(splitsPerSubtask: readonly number[]): Range[][] {
  let at = 0;
  return splitsPerSubtask.map((count) =>
    Array.from({ length: count }, () => {
      const range = { next: at, end: at + 4 };
      at += 10; // leave gaps, so a split dealt twice or dropped cannot hide behind a neighbour
      return range;
    }),
  );
}

/** Every number the ranges cover, sorted; throws if two ranges overlap. */
function coveredNumbers(ranges: readonly Range[]): number[] {
  const seen = new Set<number>();
  for (const r of ranges) {
    for (let n = r.next; n <= r.end; n++) {
      if (seen.has(n)) throw new Error(`number ${n} is covered twice`);
      seen.add(n);
    }
  }
  return [...seen].sort((a, b) => a - b);
}

function expectSplitsDealtOnce(old: readonly Range[][], newP: number): Range[][] {
  const restored = restoredPositions(metadata([sourceState('numbers', old)]), sourceVertex('numbers', newP));
  for (const p of restored) expect(Array.isArray(p)).toBe(true);
  const dealt = restored as Range[][];
  expect(dealt).toHaveLength(newP);
  // same splits, same order, none lost or doubled
  expect(dealt.flat()).toEqual(old.flat());
  expect(coveredNumbers(dealt.flat())).toEqual(coveredNumbers(old.flat()));
  // even split: sizes differ by at most one, larger runs first
  const sizes = dealt.map((d) => d.length);
  const total = old.flat().length;
  expect(sizes).toEqual(Array.from({ length: newP }, (_, i) => Math.floor(total / newP) + (i < total % newP ? 1 : 0)));
  return dealt;
}

describe('assignRestore: splittable sources at a changed parallelism', () => {
  it.each([
    [1, 5, [3]],
    [3, 7, [2, 3, 2]],
    [7, 3, [1, 1, 1, 1, 1, 1, 1]],
    [4, 2, [1, 0, 2, 1]],
  ])('deals the splits of %i old subtasks onto %i new ones, each exactly once', (oldP, newP, counts) => {
    expect(counts).toHaveLength(oldP);
    expectSplitsDealtOnce(oldRanges(counts), newP);
  });

  it('cuts the concatenated splits into contiguous runs: 7 splits onto 3 subtasks give 3, 2 and 2', () => {
    const old = oldRanges([1, 1, 1, 1, 1, 1, 1]);
    const dealt = expectSplitsDealtOnce(old, 3);
    expect(dealt).toEqual([[old[0]![0], old[1]![0], old[2]![0]], [old[3]![0], old[4]![0]], [old[5]![0], old[6]![0]]]);
  });

  it('gives subtasks beyond the number of splits an empty list, so their bounded readers end at once', () => {
    const restored = restoredPositions(metadata([sourceState('numbers', oldRanges([2]))]), sourceVertex('numbers', 5));
    expect(restored.map((p) => (p as unknown[]).length)).toEqual([1, 1, 0, 0, 0]);
  });

  it('restores the union of the old ranges without overlap for any old and new parallelism', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 12 }),
        (counts, newP) => {
          const old = oldRanges(counts);
          if (counts.length === newP) return; // unchanged parallelism is covered below
          expectSplitsDealtOnce(old, newP);
        },
      ),
    );
  });

  it('takes a position that is not an array (written before the source was splittable) as one split', () => {
    const restored = restoredPositions(
      metadata([sourceState('numbers', [{ next: 3, end: 5 }, [{ next: 9, end: 9 }], { next: 12, end: 20 }])]),
      sourceVertex('numbers', 2),
    );
    expect(restored).toEqual([[{ next: 3, end: 5 }, { next: 9, end: 9 }], [{ next: 12, end: 20 }]]);
  });

  it('refuses with a RestoreError naming the source and the subtasks when some old subtasks have no position', () => {
    const meta = metadata([sourceState('numbers', [[{ next: 0, end: 4 }], undefined, [{ next: 10, end: 14 }], undefined])]);
    const attempt = () => assignRestore(meta, DIR, [sourceVertex('numbers', 3)]);
    expect(attempt).toThrow(RestoreError);
    expect(attempt).toThrow(/source 'numbers'.*no position for subtask\(s\) 1, 3 of 4.*run it with parallelism 4/);
  });

  it('starts the readers fresh, as before, when no old subtask recorded a position at all', () => {
    const old: OperatorState = { uid: 'numbers', name: 'Source', parallelism: 2, maxParallelism: 128, subtasks: [] };
    expect(restoredPositions(metadata([old]), sourceVertex('numbers', 3))).toEqual([undefined, undefined, undefined]);
  });

  it('leaves the other operators of the chain alone', () => {
    const meta = metadata([
      sourceState('numbers', oldRanges([1, 1])),
      { uid: 'buffer', name: 'Map', parallelism: 2, maxParallelism: 128, subtasks: [{ subtaskIndex: 1, operatorState: { file: 'op-buffer-1.bin', size: 3, crc32: 1 } }] },
    ]);
    const vertex: RestoreTargetVertex = {
      ...sourceVertex('numbers', 3),
      operators: [...sourceVertex('numbers', 3).operators, { uid: 'buffer', name: 'Map', isSource: false, keyed: false }],
    };
    const assigned = assignRestore(meta, DIR, [vertex]);
    for (let i = 0; i < 3; i++) {
      const buffer = assigned.get(`0:${i}`)!.operators.find((o) => o.uid === 'buffer')!;
      expect(buffer.sourcePosition).toBeUndefined();
      expect(buffer.operatorState).toEqual([null, { file: 'op-buffer-1.bin', size: 3, crc32: 1 }]);
      expect(buffer.oldParallelism).toBe(2);
    }
  });
});

describe('assignRestore: positions at an unchanged parallelism', () => {
  it('gives every subtask the position of the same old subtask, splittable or not', () => {
    const positions = [[{ next: 2, end: 4 }], [], [{ next: 9, end: 9 }, { next: 20, end: 25 }]];
    for (const splittable of [true, false, 'unset'] as const) {
      expect(restoredPositions(metadata([sourceState('numbers', positions)]), sourceVertex('numbers', 3, splittable))).toEqual(positions);
    }
  });

  it('keeps a position in the old single-object format as it is', () => {
    const positions = [{ next: 2, end: 4 }, { next: 7, end: 9 }];
    expect(restoredPositions(metadata([sourceState('numbers', positions)]), sourceVertex('numbers', 2))).toEqual(positions);
  });

  it('lets a subtask without a recorded position start fresh, as before', () => {
    const positions = [[{ next: 2, end: 4 }], undefined];
    expect(restoredPositions(metadata([sourceState('numbers', positions)]), sourceVertex('numbers', 2))).toEqual([[{ next: 2, end: 4 }], undefined]);
  });
});

describe('assignRestore: sources that are not splittable', () => {
  it.each([false, 'unset'] as const)('refuses a changed parallelism with a RestoreError naming the uid and the reason (splittable: %s)', (splittable) => {
    const meta = metadata([sourceState('lines', [5, 8, 13])]);
    const attempt = () => assignRestore(meta, DIR, [sourceVertex('lines', 2, splittable)]);
    expect(attempt).toThrow(RestoreError);
    expect(attempt).toThrow(/source 'lines'.*parallelism 3.*not splittable.*run it with parallelism 3/);
  });
});

describe('redistributeSplits', () => {
  it('concatenates in old-subtask order and keeps a split that is itself an array whole', () => {
    expect(redistributeSplits([[['a', 1]], [], [['b', 2], ['c', 3]]], 2)).toEqual([[['a', 1], ['b', 2]], [['c', 3]]]);
  });
});

describe('restoredMaxParallelism', () => {
  it('maps every operator uid of the checkpoint to the maxParallelism it recorded', () => {
    const meta = metadata([
      sourceState('numbers', [[]], 64),
      { uid: 'sum', name: 'Reduce', parallelism: 2, maxParallelism: 256, subtasks: [] },
      { uid: '__proto__', name: 'Odd', parallelism: 1, maxParallelism: 8, subtasks: [] },
    ]);
    const inherited = restoredMaxParallelism(meta);
    expect({ ...inherited }).toEqual(Object.fromEntries([['numbers', 64], ['sum', 256], ['__proto__', 8]]));
    expect(Object.hasOwn(inherited, '__proto__')).toBe(true);
    expect(structuredClone(inherited)).toEqual(inherited);
  });

  it('keeps the keyed-state maxParallelism check, and its message says how to fix it', () => {
    const meta = metadata([
      {
        uid: 'sum',
        name: 'Reduce',
        parallelism: 1,
        maxParallelism: 64,
        subtasks: [{ subtaskIndex: 0, keyed: { file: 'k.bin', size: 1, crc32: 0, keyGroupRange: [0, 63], keyGroups: [] } }],
      },
    ]);
    const vertex: RestoreTargetVertex = { id: 1, parallelism: 1, maxParallelism: 128, operators: [{ uid: 'sum', name: 'Reduce', isSource: false, keyed: true }] };
    const attempt = () => assignRestore(meta, DIR, [vertex]);
    expect(attempt).toThrow(RestoreError);
    expect(attempt).toThrow(/operator 'sum'.*maxParallelism 64.*maxParallelism 128.*--max-parallelism 64.*leave maxParallelism unset/);
  });
});
