/**
 * The text-file source's split positions (one split per file, with the offset of the
 * next line): a restore at another parallelism, through the coordinator's assignment,
 * reads every line exactly once; the position written before splits still restores at
 * its own parallelism.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckpointMetadata } from '../../src/checkpoint/checkpoint-metadata.js';
import { assignRestore } from '../../src/checkpoint/restore/restore-assignment.js';
import { TextFileSource } from '../../src/connectors/text-file-source.js';
import { RestoreError } from '../../src/core/errors.js';
import type { PollStatus, SourceReader } from '../../src/runtime/source.js';

let dir: string;
const expected: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'eddy-text-source-'));
  for (let f = 0; f < 5; f++) {
    const lines = Array.from({ length: 3 + f * 2 }, (_, i) => `file${f}-line${i}`);
    expected.push(...lines);
    // file 2 has CRLF endings, file 4 no newline at the end
    const text = f === 2 ? lines.map((l) => `${l}\r\n`).join('') : f === 4 ? lines.join('\n') : lines.map((l) => `${l}\n`).join('');
    writeFileSync(join(dir, `part-${f}.txt`), text);
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function read(r: SourceReader<string>, limit = Infinity): { out: string[]; status: PollStatus | undefined } {
  const out: string[] = [];
  let status: PollStatus | undefined;
  while (out.length < limit) {
    status = r.poll({ collect: (line) => out.push(line) }, Math.min(2, limit - out.length)) as PollStatus;
    if (status === 'end') break;
  }
  return { out, status };
}

function metadata(positions: readonly unknown[]): CheckpointMetadata {
  return {
    format: 'eddy-checkpoint',
    version: 1,
    jobId: 'job',
    checkpointId: 1,
    kind: 'checkpoint',
    triggerTimestamp: 0,
    completionTimestamp: 0,
    operators: [
      { uid: 'lines', name: 'Source: Text', parallelism: positions.length, maxParallelism: 128, subtasks: positions.map((p, i) => ({ subtaskIndex: i, sourcePosition: p })) },
    ],
  };
}

/** Reads `reads[i]` lines in each of `oldP` readers, snapshots, restores at `newP` and reads to the end. */
function runRescaled(oldP: number, reads: readonly number[], newP: number): string[] {
  const source = new TextFileSource(dir);
  const all: string[] = [];
  const positions: unknown[] = [];
  for (let i = 0; i < oldP; i++) {
    const r = source.createReader({ subtaskIndex: i, parallelism: oldP, attemptNumber: 0 });
    all.push(...read(r, reads[i]!).out);
    positions.push(JSON.parse(JSON.stringify(r.snapshotPosition!())));
    r.close?.();
  }
  const assigned = assignRestore(metadata(positions), '/chk-1', [
    { id: 0, parallelism: newP, maxParallelism: 128, operators: [{ uid: 'lines', name: 'Source: Text', isSource: true, keyed: false, splittable: source.splittable }] },
  ]);
  for (let i = 0; i < newP; i++) {
    const r = source.createReader({ subtaskIndex: i, parallelism: newP, attemptNumber: 1 });
    r.restorePosition!(assigned.get(`0:${i}`)!.operators[0]!.sourcePosition!.value);
    const { out, status } = read(r);
    expect(status).toBe('end');
    all.push(...out);
    r.close?.();
  }
  return all;
}

describe('TextFileSource splits', () => {
  it('declares itself splittable and snapshots the files still to read with the offset of the next line', () => {
    const source = new TextFileSource(dir);
    expect(source.splittable).toBe(true);
    const r = source.createReader({ subtaskIndex: 0, parallelism: 2, attemptNumber: 0 }); // files 0, 2, 4
    read(r, 4); // 3 lines of file 0, one of file 2
    expect(r.snapshotPosition!()).toEqual([
      { file: join(dir, 'part-2.txt'), offset: 'file2-line0\r\n'.length },
      { file: join(dir, 'part-4.txt'), offset: 0 },
    ]);
    r.close?.();
  });

  it.each([
    [2, [4, 1], 3],
    [3, [0, 6, 2], 1],
    [1, [7], 4],
    [5, [1, 2, 3, 4, 5], 2],
  ])('reads every line exactly once after reading part at parallelism %i and restoring at %i', (oldP, reads, newP) => {
    const all = runRescaled(oldP, reads, newP);
    expect([...all].sort()).toEqual([...expected].sort());
  });

  it('restores the position format written before splits ({ file index, offset }) at its own parallelism', () => {
    const source = new TextFileSource(dir);
    const r = source.createReader({ subtaskIndex: 1, parallelism: 2, attemptNumber: 1 }); // files 1, 3
    r.restorePosition!({ file: 1, offset: 'file3-line0\n'.length });
    expect(read(r).out).toEqual(Array.from({ length: 8 }, (_, i) => `file3-line${i + 1}`));
    r.close?.();
  });

  it('refuses that old position format with a RestoreError once it has been dealt out as a split', () => {
    const r = new TextFileSource(dir).createReader({ subtaskIndex: 0, parallelism: 3, attemptNumber: 1 });
    expect(() => r.restorePosition!([{ file: 1, offset: 0 }])).toThrow(RestoreError);
    expect(() => r.restorePosition!([{ file: 1, offset: 0 }])).toThrow(/restore it at the parallelism it was taken with/);
  });
});
