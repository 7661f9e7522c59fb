/**
 * The sequence source: its fresh split (DESIGN §8), and its range positions, which a
 * restore deals out to another parallelism with the coordinator's own assignment, so
 * every number is read exactly once across a rescale.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CheckpointMetadata } from '../../src/checkpoint/checkpoint-metadata.js';
import { assignRestore } from '../../src/checkpoint/restore/restore-assignment.js';
import type { RestoreTargetVertex } from '../../src/checkpoint/restore/restore-assignment.js';
import { SequenceSource } from '../../src/connectors/sequence-source.js';
import { RestoreError } from '../../src/core/errors.js';
import type { PollStatus, SourceReader } from '../../src/runtime/source.js';

const UID = 'numbers';

function reader(source: SequenceSource, subtaskIndex: number, parallelism: number): SourceReader<number> {
  return source.createReader({ subtaskIndex, parallelism, attemptNumber: 0 });
}

/** Polls `maxRecords` at a time until `limit` numbers are read or the reader ends. */
function read(r: SourceReader<number>, limit = Infinity, maxRecords = 3): { out: number[]; status: PollStatus | undefined } {
  const out: number[] = [];
  let status: PollStatus | undefined;
  while (out.length < limit) {
    status = r.poll({ collect: (n) => out.push(n) }, Math.min(maxRecords, limit - out.length)) as PollStatus;
    if (status === 'end') break;
  }
  return { out, status };
}

/**
 * Runs the source through `stages`: at each stage's parallelism every reader (restored
 * from the previous stage with the coordinator's assignment, if any) reads `reads[i]`
 * numbers, or everything at the last stage, and snapshots its position into checkpoint
 * metadata (through JSON, as `_metadata` stores it). Returns everything read.
 */
function runStages(source: SequenceSource, stages: readonly { readonly p: number; readonly reads: readonly number[] }[]): number[] {
  const all: number[] = [];
  let previous: CheckpointMetadata | undefined;
  stages.forEach(({ p, reads }, stage) => {
    const last = stage === stages.length - 1;
    const assigned = previous ? assignRestore(previous, `/chk-${stage}`, [sourceVertex(source, p)]) : undefined;
    const positions: unknown[] = [];
    for (let i = 0; i < p; i++) {
      const r = reader(source, i, p);
      if (assigned) {
        const position = assigned.get(`0:${i}`)!.operators.find((o) => o.uid === UID)!.sourcePosition;
        expect(position).toBeDefined();
        r.restorePosition!(position!.value);
      }
      const { out, status } = read(r, last ? Infinity : (reads[i] ?? 0));
      if (last) expect(status).toBe('end');
      all.push(...out);
      positions.push(JSON.parse(JSON.stringify(r.snapshotPosition!())));
    }
    previous = checkpoint(positions);
  });
  return all;
}

function checkpoint(positions: readonly unknown[]): CheckpointMetadata {
  return {
    format: 'eddy-checkpoint',
    version: 1,
    jobId: 'job',
    checkpointId: 1,
    kind: 'checkpoint',
    triggerTimestamp: 0,
    completionTimestamp: 0,
    operators: [
      {
        uid: UID,
        name: 'Source: Sequence',
        parallelism: positions.length,
        maxParallelism: 128,
        subtasks: positions.map((p, i) => ({ subtaskIndex: i, sourcePosition: p })),
      },
    ],
  };
}

function sourceVertex(source: SequenceSource, parallelism: number): RestoreTargetVertex {
  return {
    id: 0,
    parallelism,
    maxParallelism: 128,
    operators: [{ uid: UID, name: 'Source: Sequence', isSource: true, keyed: false, splittable: source.splittable }],
  };
}

function runRescaled(source: SequenceSource, oldP: number, reads: readonly number[], newP: number): number[] {
  return runStages(source, [
    { p: oldP, reads },
    { p: newP, reads: [] },
  ]);
}

const range = (from: number, to: number): number[] => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);

describe('SequenceSource on a fresh start', () => {
  it('splits from..to into contiguous runs, the first count % p one number longer', () => {
    const source = new SequenceSource(1, 10);
    expect([0, 1, 2].map((i) => read(reader(source, i, 3)).out)).toEqual([range(1, 4), range(5, 7), range(8, 10)]);
  });

  it('gives the instances beyond the count nothing, and they end at once', () => {
    const source = new SequenceSource(5, 6);
    expect([0, 1, 2, 3].map((i) => read(reader(source, i, 4)).out)).toEqual([[5], [6], [], []]);
  });

  it('declares itself splittable', () => {
    expect(new SequenceSource(1, 2).splittable).toBe(true);
  });
});

describe('SequenceSource positions', () => {
  it('snapshots the ranges still to read, as a copy', () => {
    const r = reader(new SequenceSource(1, 10), 0, 1);
    read(r, 4);
    const position = r.snapshotPosition!();
    expect(position).toEqual([{ next: 5, end: 10 }]);
    read(r);
    expect(position).toEqual([{ next: 5, end: 10 }]);
    expect(r.snapshotPosition!()).toEqual([]);
  });

  it('reads several restored ranges in order, across range ends within one poll', () => {
    const r = reader(new SequenceSource(0, 0), 0, 1);
    r.restorePosition!([{ next: 3, end: 4 }, { next: 10, end: 9 }, { next: 20, end: 22 }]);
    expect(read(r, Infinity, 4).out).toEqual([3, 4, 20, 21, 22]);
  });

  it('ends at once when restored with no splits', () => {
    const r = reader(new SequenceSource(1, 100), 0, 1);
    r.restorePosition!([]);
    const out: number[] = [];
    expect(r.poll({ collect: (n) => out.push(n) }, 10)).toBe('end');
    expect(out).toEqual([]);
  });

  it('restores the position format written before splits, { next, end }, as one range', () => {
    const r = reader(new SequenceSource(1, 10), 1, 2);
    r.restorePosition!({ next: 8, end: 10 });
    expect(read(r).out).toEqual([8, 9, 10]);
  });

  it('rejects a position that is not a list of ranges with a RestoreError', () => {
    const r = reader(new SequenceSource(1, 10), 0, 1);
    expect(() => r.restorePosition!([{ next: 'a', end: 3 }])).toThrow(RestoreError);
    expect(() => r.restorePosition!(7)).toThrow(/sequence source: cannot restore from position 7/);
  });
});

describe('SequenceSource rescaled on restore', () => {
  it.each([2, 5])('reads every number once after reading part at parallelism 3 and restoring at %i', (newP) => {
    const source = new SequenceSource(1, 100);
    const all = runRescaled(source, 3, [10, 0, 33], newP);
    expect(sorted(all)).toEqual(range(1, 100));
  });

  it('reads every number once when rescaled twice (3 → 5 → 2), the restored readers snapshotting again', () => {
    const source = new SequenceSource(-20, 40);
    const all = runStages(source, [
      { p: 3, reads: [5, 7, 0] },
      { p: 5, reads: [2, 0, 9, 1, 30] },
      { p: 2, reads: [] },
    ]);
    expect(sorted(all)).toEqual(range(-20, 40));
  });

  it('reads every number from..to exactly once for any parallelisms and any progress', () => {
    const stage = fc.integer({ min: 1, max: 8 }).chain((p) =>
      fc.record({ p: fc.constant(p), reads: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: p, maxLength: p }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 120 }),
        fc.array(stage, { minLength: 2, maxLength: 4 }),
        (from, length, stages) => {
          const source = new SequenceSource(from, from + length - 1);
          expect(sorted(runStages(source, stages))).toEqual(range(from, from + length - 1));
        },
      ),
    );
  });
});
