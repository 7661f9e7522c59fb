import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlSink } from '../../src/connectors/jsonl-sink.js';
import type { JsonlCommittable } from '../../src/connectors/jsonl-sink.js';
import { jobTag, parsePartFileName, partFileName } from '../../src/connectors/jsonl-part-file.js';
import { CheckpointError, ConfigError } from '../../src/core/errors.js';
import type { CommitterContext, SinkWriterContext } from '../../src/runtime/sink.js';
import { isTwoPhaseCommittingSink } from '../../src/runtime/sink.js';
import { parseRunMarkerName, runMarkerName } from '../../src/connectors/jsonl-run-marker.js';
import { readOwnerFile } from '../../src/core/process-owner.js';
import { deadPid, writeOwner } from '../support/process-owners.js';

const JOB = '5f0c9a7e2b1d4c3a8e6f7a9b0c1d2e3f';

interface Identity {
  readonly jobId?: string;
  readonly attempt?: number;
  readonly subtask?: number;
  readonly parallelism?: number;
}

function context({ jobId = JOB, attempt = 0, subtask = 0, parallelism = 1 }: Identity = {}): SinkWriterContext & CommitterContext {
  return { jobId, attemptNumber: attempt, subtaskIndex: subtask, parallelism, emitToCoordinator: () => {} };
}

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'eddy-jsonl-'));
  dir = join(root, 'out');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function visibleFiles(): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => !name.startsWith('.')).sort() : [];
}

/** The hidden files but the run markers (jsonl-run-marker.ts), which have their own tests. */
function hiddenFiles(): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.startsWith('.') && parseRunMarkerName(name) === undefined).sort() : [];
}

/**
 * The invariant of DESIGN §8, checked after every step: the visible files are exactly the
 * committed ones, and no hidden file ends in `.jsonl`.
 */
function expectOnlyCommittedVisible(committed: readonly JsonlCommittable[]): void {
  expect(visibleFiles()).toEqual([...new Set(committed.map((c) => c.finalFile))].sort());
  for (const name of hiddenFiles()) expect(name.endsWith('.jsonl')).toBe(false);
}

/** The records of the committed files, in the order their writers wrote them. */
function committedRecords(): unknown[] {
  const files = visibleFiles()
    .flatMap((name) => {
      const part = parsePartFileName(name);
      return part ? [{ name, id: part.id }] : [];
    })
    .sort((a, b) => a.id.subtask - b.id.subtask || a.id.attempt - b.id.attempt || a.id.counter - b.id.counter);
  const records: unknown[] = [];
  for (const { name } of files) {
    const text = readFileSync(join(dir, name), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.slice(0, -1).split('\n')) records.push(JSON.parse(line));
  }
  return records;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('JsonlSink', () => {
  it('is a two-phase-committing sink', () => {
    expect(isTwoPhaseCommittingSink(new JsonlSink(dir))).toBe(true);
  });

  it('makes records written before checkpoint 1 visible only once checkpoint 1 is committed', () => {
    const sink = new JsonlSink<number>(dir);
    const writer = sink.createWriter(context());
    const committer = sink.createCommitter(context());
    for (const n of range(1, 5)) writer.write(n);
    writer.flush(false);
    expectOnlyCommittedVisible([]);

    const prepared = writer.prepareCommit(1);
    expect(prepared).toHaveLength(1);
    expect(prepared[0]).toMatchObject({ version: 1, checkpointId: 1, records: 5 });
    expectOnlyCommittedVisible([]);
    expect(hiddenFiles()).toEqual([prepared[0]!.pendingFile]);

    committer.commit(prepared);
    expectOnlyCommittedVisible(prepared);
    expect(committedRecords()).toEqual(range(1, 5));
    expect(hiddenFiles()).toEqual([]);
  });

  it('keeps records written after the last prepareCommit hidden', () => {
    const sink = new JsonlSink<number>(dir);
    const writer = sink.createWriter(context());
    const committer = sink.createCommitter(context());
    for (const n of range(1, 3)) writer.write(n);
    const first = writer.prepareCommit(1);
    for (const n of range(4, 6)) writer.write(n);
    writer.flush(false);
    committer.commit(first);
    expectOnlyCommittedVisible(first);
    expect(committedRecords()).toEqual([1, 2, 3]);
    expect(hiddenFiles()).toEqual([partFileName({ jobTag: jobTag(JOB), attempt: 0, subtask: 0, counter: 1 }, 'inprogress')]);
  });

  it('puts a record written right after a prepareCommit into the next file, in order', () => {
    const sink = new JsonlSink<number>(dir);
    const writer = sink.createWriter(context());
    const committer = sink.createCommitter(context());
    const committed: JsonlCommittable[] = [];
    let next = 1;
    for (let checkpoint = 1; checkpoint <= 5; checkpoint++) {
      for (let i = 0; i < checkpoint; i++) writer.write(next++);
      const prepared = writer.prepareCommit(checkpoint);
      expectOnlyCommittedVisible(committed);
      committer.commit(prepared);
      committed.push(...prepared);
      expectOnlyCommittedVisible(committed);
    }
    expect(committed.map((c) => c.records)).toEqual([1, 2, 3, 4, 5]);
    expect(committedRecords()).toEqual(range(1, next - 1));
  });

  it('hands out no committable and creates no file when nothing was written since the last prepareCommit', () => {
    const sink = new JsonlSink<number>(dir);
    const writer = sink.createWriter(context());
    expect(writer.prepareCommit(1)).toEqual([]);
    writer.write(1);
    expect(writer.prepareCommit(2)).toHaveLength(1);
    writer.flush(false);
    expect(writer.prepareCommit(3)).toEqual([]);
    expect(hiddenFiles()).toHaveLength(1);
  });

  it('hands out committables that are plain JSON data', () => {
    const sink = new JsonlSink<string>(dir);
    const writer = sink.createWriter(context());
    writer.write('a');
    const prepared = writer.prepareCommit(7);
    const copy = JSON.parse(JSON.stringify(prepared)) as JsonlCommittable[];
    expect(copy).toEqual(prepared);
    sink.createCommitter(context()).commit(copy);
    expect(committedRecords()).toEqual(['a']);
  });

  it('commits idempotently when the same committables are committed twice', () => {
    const sink = new JsonlSink<number>(dir);
    const writer = sink.createWriter(context());
    const committer = sink.createCommitter(context());
    writer.write(1);
    const prepared = writer.prepareCommit(1);
    committer.commit(prepared);
    committer.commit(prepared);
    sink.createCommitter(context({ attempt: 1 })).commit(prepared);
    expectOnlyCommittedVisible(prepared);
    expect(committedRecords()).toEqual([1]);
  });

  it('finishes a commit that crashed between the rename and the directory fsync', () => {
    const sink = new JsonlSink<number>(dir, { maxFileBytes: 3 }); // one 3-byte line a file
    const writer = sink.createWriter(context());
    for (const n of range(10, 13)) writer.write(n);
    const prepared = writer.prepareCommit(1);
    expect(prepared).toHaveLength(4);
    // the crashed commit got as far as renaming the first two files
    for (const c of prepared.slice(0, 2)) renameSync(join(dir, c.pendingFile), join(dir, c.finalFile));
    sink.createCommitter(context({ attempt: 1 })).commit(prepared);
    expectOnlyCommittedVisible(prepared);
    expect(committedRecords()).toEqual(range(10, 13));
    expect(hiddenFiles()).toEqual([]);
  });

  describe.each([
    { committedBeforeCrash: false, label: 'was not yet committed' },
    { committedBeforeCrash: true, label: 'was already committed' },
  ])('after a restore from checkpoint 1 (which $label)', ({ committedBeforeCrash }) => {
    it('shows exactly the records before checkpoint 1, then those of the new attempt, and no leftovers', () => {
      const sink = new JsonlSink<number>(dir, { maxFileBytes: 40 });
      const writerA = sink.createWriter(context({ attempt: 0 }));
      const committed: JsonlCommittable[] = [];

      for (const n of range(1, 20)) writerA.write(n);
      const first = writerA.prepareCommit(1);
      expect(first.length).toBeGreaterThan(1); // rolled files are part of it
      expectOnlyCommittedVisible(committed);
      if (committedBeforeCrash) {
        sink.createCommitter(context({ attempt: 0 })).commit(first);
        committed.push(...first);
        expectOnlyCommittedVisible(committed);
      }
      for (const n of range(21, 30)) writerA.write(n);
      expect(writerA.prepareCommit(2).length).toBeGreaterThan(0); // checkpoint 2 never completes
      for (const n of range(31, 33)) writerA.write(n);
      writerA.flush(false);
      expectOnlyCommittedVisible(committed);
      // crash: writer A is dropped without close

      const committer = sink.createCommitter(context({ attempt: 1 }));
      const stored = JSON.parse(JSON.stringify(first)) as JsonlCommittable[];
      committer.commit(stored);
      if (!committedBeforeCrash) committed.push(...first);
      expectOnlyCommittedVisible(committed);
      committer.cleanup(stored);
      expectOnlyCommittedVisible(committed);
      expect(committedRecords()).toEqual(range(1, 20));
      expect(hiddenFiles()).toEqual([]);

      const writerB = sink.createWriter(context({ attempt: 1 }));
      for (const n of range(21, 35)) writerB.write(n);
      expectOnlyCommittedVisible(committed);
      const third = writerB.prepareCommit(3);
      expectOnlyCommittedVisible(committed);
      sink.createCommitter(context({ attempt: 1 })).commit(third);
      committed.push(...third);
      expectOnlyCommittedVisible(committed);
      expect(committedRecords()).toEqual(range(1, 35));
      expect(hiddenFiles()).toEqual([]);
    });
  });

  it("leaves the current attempt's files alone during cleanup", () => {
    const sink = new JsonlSink<number>(dir);
    const old = sink.createWriter(context({ attempt: 0 }));
    old.write(1);
    old.prepareCommit(1);
    old.write(2);
    old.flush(false);
    const current = sink.createWriter(context({ attempt: 1 }));
    current.write(3);
    current.flush(false);
    current.write(4);
    const rolledCurrent = current.prepareCommit(2);
    current.write(5);
    current.flush(false);

    sink.createCommitter(context({ attempt: 1 })).cleanup([]);
    expect(hiddenFiles()).toEqual(
      [rolledCurrent[0]!.pendingFile, partFileName({ jobTag: jobTag(JOB), attempt: 1, subtask: 0, counter: 1 }, 'inprogress')].sort(),
    );
    expectOnlyCommittedVisible([]);
  });

  it('never deletes committed files, files of other job runs or files it did not name during cleanup', () => {
    const sink = new JsonlSink<number>(dir);
    const other = sink.createWriter(context({ jobId: 'aaaaaaaa-other-run', attempt: 0 }));
    other.write(1);
    other.prepareCommit(1);
    other.write(2);
    other.flush(false);
    const old = sink.createWriter(context({ attempt: 0 }));
    old.write(3);
    const committed = old.prepareCommit(1);
    sink.createCommitter(context({ attempt: 0 })).commit(committed);
    old.write(4);
    old.flush(false);
    const foreign = ['notes.txt', '.part-x.jsonl.inprogress', `.part-${jobTag(JOB)}-0-0-07.jsonl.pending`, `.${committed[0]!.finalFile}.tmp`];
    for (const name of foreign) writeFileSync(join(dir, name), 'keep me');

    sink.createCommitter(context({ attempt: 1 })).cleanup(committed);
    const remaining = readdirSync(dir).sort();
    expect(remaining).toEqual(
      [
        ...foreign,
        committed[0]!.finalFile,
        partFileName({ jobTag: 'aaaaaaaa', attempt: 0, subtask: 0, counter: 0 }, 'pending'),
        partFileName({ jobTag: 'aaaaaaaa', attempt: 0, subtask: 0, counter: 1 }, 'inprogress'),
        // both runs are of this (live) process
        runMarkerName('aaaaaaaa'),
        runMarkerName(jobTag(JOB)),
      ].sort(),
    );
    expect(committedRecords()).toEqual([3]);
  });

  it('rolls to a new pending file at maxFileBytes and hands every rolled file to the next prepareCommit', () => {
    const sink = new JsonlSink<string>(dir, { maxFileBytes: 100 });
    const writer = sink.createWriter(context());
    const records = range(1, 50).map((n) => `record-${String(n).padStart(3, '0')}`); // 13 bytes a line
    for (const r of records.slice(0, 30)) writer.write(r);
    // 30 lines: 3 files of 8 lines (104 bytes) rolled, 6 lines in progress
    expect(hiddenFiles().filter((name) => name.endsWith('.pending'))).toHaveLength(3);
    expectOnlyCommittedVisible([]);
    const first = writer.prepareCommit(1);
    expect(first.map((c) => c.records)).toEqual([8, 8, 8, 6]);
    expect(first.map((c) => c.bytes)).toEqual([104, 104, 104, 78]);
    for (const r of records.slice(30)) writer.write(r);
    const second = writer.prepareCommit(2);
    expect(second.map((c) => c.records)).toEqual([8, 8, 4]);
    const committer = sink.createCommitter(context());
    committer.commit(first);
    expectOnlyCommittedVisible(first);
    committer.commit(second);
    expectOnlyCommittedVisible([...first, ...second]);
    expect(committedRecords()).toEqual(records);
  });

  it('writes large volumes in chunks without losing or reordering records', () => {
    const sink = new JsonlSink<{ n: number; pad: string }>(dir, { maxFileBytes: 300_000 });
    const writer = sink.createWriter(context());
    const records = range(1, 10_000).map((n) => ({ n, pad: 'x'.repeat(n % 97) }));
    for (const r of records) writer.write(r);
    const prepared = writer.prepareCommit(1);
    expect(prepared.length).toBeGreaterThan(1);
    for (const c of prepared.slice(0, -1)) {
      expect(c.bytes).toBeGreaterThanOrEqual(300_000);
      expect(c.bytes).toBeLessThan(300_000 + 200); // ends with the record that crossed the limit
    }
    expect(prepared.reduce((sum, c) => sum + c.records, 0)).toBe(records.length);
    sink.createCommitter(context()).commit(prepared);
    expect(committedRecords()).toEqual(records);
  });

  it('writes unicode and bigint records as one valid JSON line each, with exact byte counts', () => {
    const sink = new JsonlSink<unknown>(dir, { maxFileBytes: 64 });
    const writer = sink.createWriter(context());
    const records: unknown[] = [
      'héllo wörld',
      '🦀 emoji 😀 and 中文',
      'line\nbreak and \u2028 separator',
      { big: 12345678901234567890n, nested: [1n, -2n] },
      new Map([['k', new Set(['ü', 'ß'])]]),
      null,
    ];
    for (const r of records) writer.write(r);
    const prepared = writer.prepareCommit(1);
    for (const c of prepared) expect(readFileSync(join(dir, c.pendingFile)).length).toBe(c.bytes);
    sink.createCommitter(context()).commit(prepared); // refuses files of the wrong size
    expect(committedRecords()).toEqual([
      'héllo wörld',
      '🦀 emoji 😀 and 中文',
      'line\nbreak and \u2028 separator',
      { big: '12345678901234567890', nested: ['1', '-2'] },
      { k: ['ü', 'ß'] },
      null,
    ]);
  });

  it('lets several subtasks share a directory, and subtask 0 commits all of them after a restore', () => {
    const sink = new JsonlSink<string>(dir, { maxFileBytes: 20 });
    const parallelism = 3;
    const writers = range(0, parallelism - 1).map((subtask) => sink.createWriter(context({ subtask, parallelism })));
    writers.forEach((writer, subtask) => {
      for (const n of range(1, 4)) writer.write(`s${subtask}-r${n}`);
    });
    const stored = writers.flatMap((writer) => writer.prepareCommit(1));
    expect(new Set(stored.map((c) => c.finalFile)).size).toBe(stored.length);
    writers.forEach((writer, subtask) => writer.write(`s${subtask}-late`));
    writers.forEach((writer) => writer.prepareCommit(2));
    // subtask 1 committed its part of checkpoint 1 before the failure, the others did not
    sink.createCommitter(context({ subtask: 1, parallelism })).commit(stored.filter((c) => parsePartFileName(c.finalFile)!.id.subtask === 1));

    const committer = sink.createCommitter(context({ attempt: 1, subtask: 0, parallelism }));
    committer.commit(stored);
    committer.cleanup(stored);
    expectOnlyCommittedVisible(stored);
    expect(committedRecords()).toEqual(range(0, parallelism - 1).flatMap((s) => range(1, 4).map((n) => `s${s}-r${n}`)));
    expect(hiddenFiles()).toEqual([]);
  });

  it('commits everything at the end of input and leaves no hidden file behind', () => {
    const sink = new JsonlSink<number>(dir);
    const writers = [0, 1].map((subtask) => sink.createWriter(context({ subtask, parallelism: 2 })));
    const committed: JsonlCommittable[] = [];
    writers.forEach((writer, subtask) => {
      for (const n of range(1, 100)) if (n % 2 === subtask) writer.write(n);
    });
    for (const [subtask, writer] of writers.entries()) {
      writer.flush(true); // finish(): makes nothing visible by itself
      expectOnlyCommittedVisible(committed);
      const last = writer.prepareCommit(1);
      writer.close();
      expectOnlyCommittedVisible(committed);
      sink.createCommitter(context({ subtask, parallelism: 2 })).commit(last);
      committed.push(...last);
      expectOnlyCommittedVisible(committed);
    }
    expect(visibleFiles()).toHaveLength(2);
    expect(hiddenFiles()).toEqual([]);
    expect((committedRecords() as number[]).sort((a, b) => a - b)).toEqual(range(1, 100));
  });

  it('leaves only hidden files when a writer is closed without end of input', () => {
    const sink = new JsonlSink<number>(dir, { maxFileBytes: 10 });
    const writer = sink.createWriter(context());
    for (const n of range(1, 20)) writer.write(n);
    writer.prepareCommit(1);
    for (const n of range(21, 40)) writer.write(n);
    writer.close();
    writer.close();
    expect(hiddenFiles().length).toBeGreaterThan(0);
    expectOnlyCommittedVisible([]);
  });

  it('throws a CheckpointError naming the file when neither the pending nor the committed file exists', () => {
    const sink = new JsonlSink<number>(dir);
    const writer = sink.createWriter(context());
    writer.write(1);
    const prepared = writer.prepareCommit(4);
    unlinkSync(join(dir, prepared[0]!.pendingFile));
    const commit = () => sink.createCommitter(context({ attempt: 1 })).commit(prepared);
    expect(commit).toThrow(CheckpointError);
    expect(commit).toThrow(`part file '${prepared[0]!.finalFile}' of checkpoint 4`);
    expect(commit).toThrow(/records are lost/);
  });

  it('refuses to commit over a committed file of the same name or a pending file of another size', () => {
    const sink = new JsonlSink<number>(dir);
    const writer = sink.createWriter(context());
    writer.write(1);
    const [prepared] = writer.prepareCommit(1);
    writeFileSync(join(dir, prepared!.finalFile), 'someone else\n');
    expect(() => sink.createCommitter(context()).commit([prepared!])).toThrow(/both the pending file/);
    rmSync(join(dir, prepared!.finalFile));
    writeFileSync(join(dir, prepared!.pendingFile), '1\n2\n');
    expect(() => sink.createCommitter(context()).commit([prepared!])).toThrow(/has 4 bytes, expected 2/);
    expectOnlyCommittedVisible([]);
  });

  it('rejects a committable that is not one of its own before touching any file', () => {
    const committer = new JsonlSink(dir).createCommitter(context());
    const bad = [
      { version: 2, checkpointId: 1, pendingFile: '.part-a-0-0-0.jsonl.pending', finalFile: 'part-a-0-0-0.jsonl', bytes: 1, records: 1 },
      { version: 1, checkpointId: 1, pendingFile: '../../etc/passwd', finalFile: 'part-a-0-0-0.jsonl', bytes: 1, records: 1 },
      { version: 1, checkpointId: 1, pendingFile: '.part-a-0-0-1.jsonl.pending', finalFile: 'part-a-0-0-0.jsonl', bytes: 1, records: 1 },
      { id: 'collect/0/0/1', records: [1] },
    ];
    for (const committable of bad) {
      expect(() => committer.commit([committable as unknown as JsonlCommittable])).toThrow(/expected a committable of the JSON-lines sink/);
    }
  });

  it('rejects a second writer of the same job, attempt and subtask in the same directory', () => {
    const first = new JsonlSink<number>(dir).createWriter(context());
    const second = new JsonlSink<number>(dir).createWriter(context());
    first.write(1);
    first.flush(false);
    second.write(2);
    expect(() => second.flush(false)).toThrow(ConfigError);
    expect(() => second.flush(false)).toThrow(/expected each sink of a job to write to its own directory/);
    first.close();
    expect(readFileSync(join(dir, hiddenFiles()[0]!), 'utf8')).toBe('1\n');
  });

  it('rejects a second writer whose file would replace a pending or committed file of the first', () => {
    const sink = new JsonlSink<number>(dir);
    const first = sink.createWriter(context());
    first.write(1);
    const [pending] = first.prepareCommit(1);
    const second = sink.createWriter(context());
    second.write(2);
    expect(() => second.prepareCommit(1)).toThrow(`part file '${pending!.pendingFile}' already exists`);
    sink.createCommitter(context()).commit([pending!]);
    const third = sink.createWriter(context());
    third.write(3);
    expect(() => third.flush(false)).toThrow(`part file '${pending!.finalFile}' already exists`);
    expectOnlyCommittedVisible([pending!]);
    expect(committedRecords()).toEqual([1]);
    expect(hiddenFiles()).toEqual([]);
  });

  it('rejects a maxFileBytes that is not a positive integer', () => {
    for (const maxFileBytes of [0, -1, 1.5, Number.NaN]) {
      expect(() => new JsonlSink(dir, { maxFileBytes })).toThrow(ConfigError);
    }
    expect(() => new JsonlSink(dir, { maxFileBytes: 0 })).toThrow(/maxFileBytes must be a positive integer, got 0/);
  });
});

describe('jsonl part file names', () => {
  it('reads back exactly the names it writes, in every stage', () => {
    const ids = fc.record({
      jobTag: fc.stringMatching(/^[A-Za-z0-9]{1,8}$/),
      attempt: fc.nat(),
      subtask: fc.nat(),
      counter: fc.nat(),
    });
    const stages = fc.constantFrom('inprogress' as const, 'pending' as const, 'committed' as const);
    fc.assert(
      fc.property(ids, stages, (id, stage) => {
        const name = partFileName(id, stage);
        expect(parsePartFileName(name)).toEqual({ id, stage });
        expect(name.endsWith('.jsonl')).toBe(stage === 'committed');
        expect(name.startsWith('.')).toBe(stage !== 'committed');
      }),
    );
  });

  it('does not recognise names the sink never writes', () => {
    for (const name of ['part-a-0-0-0.jsonl.pending', '.part-a-0-0-0.jsonl', 'part-a-01-0-0.jsonl', 'part-a-b-0-0-0.jsonl', 'x.jsonl']) {
      expect(parsePartFileName(name)).toBeUndefined();
    }
  });

  it('tags a job with the first eight letters or digits of its id', () => {
    expect(jobTag(JOB)).toBe('5f0c9a7e');
    expect(jobTag('job-1-x')).toBe('job1x');
    expect(jobTag('---')).toBe('job');
  });
});

describe('leftovers of crashed runs', () => {
  it('removes its run marker when the last writer closes with everything committed', () => {
    const sink = new JsonlSink<number>(dir);
    const first = sink.createWriter(context({ subtask: 0, parallelism: 2 }));
    const second = sink.createWriter(context({ subtask: 1, parallelism: 2 }));
    first.write(1);
    second.write(2);
    second.flush(false);
    const committer = sink.createCommitter(context());
    committer.commit(first.prepareCommit(1));
    first.close(); // the second writer's file is still in progress
    expect(existsSync(join(dir, runMarkerName(jobTag(JOB))))).toBe(true);
    committer.commit(second.prepareCommit(1));
    second.close();
    expect(existsSync(join(dir, runMarkerName(jobTag(JOB))))).toBe(false);
    expect(hiddenFiles()).toEqual([]);
    expect(committedRecords()).toEqual([1, 2]);
  });

  const DEAD = 'deadbeef';
  const LIVE = 'cafe0000';
  const part = (tag: string, counter: number, stage: 'inprogress' | 'pending' | 'committed') =>
    partFileName({ jobTag: tag, attempt: 0, subtask: 0, counter }, stage);
  const make = (name: string, text = '{"n":1}\n') => writeFileSync(join(dir, name), text);

  beforeEach(() => {
    mkdirSync(dir, { recursive: true });
    writeOwner(join(dir, runMarkerName(DEAD)), deadPid());
    writeOwner(join(dir, runMarkerName(LIVE)), process.ppid);
  });

  it("removes a dead run's in-progress files on a fresh start, and keeps its pending files, live runs' files and unmarked files", () => {
    const keep = [part(DEAD, 0, 'committed'), part(DEAD, 1, 'pending'), part(LIVE, 0, 'inprogress'), part(LIVE, 1, 'pending'), part('abcd1234', 0, 'inprogress')];
    for (const name of [...keep, part(DEAD, 2, 'inprogress')]) make(name);

    const removed = new JsonlSink<number>(dir).createCommitter(context()).removeLeftovers([]);

    expect(removed).toEqual([part(DEAD, 2, 'inprogress')]);
    expect(readdirSync(dir).sort()).toEqual([...keep, runMarkerName(DEAD), runMarkerName(LIVE)].sort());
  });

  it("commits a restored dead run's committables, then removes its other hidden files and its marker, never a committed file", () => {
    const sink = new JsonlSink<number>(dir);
    make(part(DEAD, 0, 'committed'));
    make(part(DEAD, 1, 'pending'), '{"n":2}\n');
    make(part(DEAD, 2, 'pending')); // made pending by a checkpoint that never completed
    make(part(DEAD, 3, 'inprogress'));
    const restored: JsonlCommittable = {
      version: 1,
      checkpointId: 4,
      pendingFile: part(DEAD, 1, 'pending'),
      finalFile: part(DEAD, 1, 'committed'),
      bytes: 8,
      records: 1,
      directory: dir,
    };
    const committer = sink.createCommitter(context());
    committer.commit([restored]);

    const removed = committer.removeLeftovers([restored]);

    expect(removed.sort()).toEqual([part(DEAD, 2, 'pending'), part(DEAD, 3, 'inprogress'), runMarkerName(DEAD)].sort());
    expect(readdirSync(dir).sort()).toEqual([part(DEAD, 0, 'committed'), part(DEAD, 1, 'committed'), runMarkerName(LIVE)].sort());
    expect(readFileSync(join(dir, part(DEAD, 1, 'committed')), 'utf8')).toBe('{"n":2}\n');
  });

  it('marks the directory with the writing process before its first hidden file, and refuses a job tag a live process writes', () => {
    const writer = new JsonlSink<number>(dir).createWriter(context());
    writer.write(1);
    writer.flush(false);
    expect(readOwnerFile(join(dir, runMarkerName(jobTag(JOB))))).toMatchObject({ pid: process.pid });

    writer.close(); // its in-progress file is left: the marker stays
    expect(readOwnerFile(join(dir, runMarkerName(jobTag(JOB))))).toMatchObject({ pid: process.pid });

    writeOwner(join(dir, runMarkerName('0123abcd')), process.ppid);
    const clash = new JsonlSink<number>(dir).createWriter(context({ jobId: '0123abcd-0000' }));
    clash.write(1);
    expect(() => clash.flush(false)).toThrow(ConfigError);
  });
});
