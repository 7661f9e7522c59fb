/**
 * A damaged checkpoint is never restored from, and never "repaired" or deleted: starting
 * from a retained checkpoint whose files were damaged fails before the job runs, with a
 * `CheckpointCorruptedError` naming the damaged file; starting from the job's checkpoint
 * directory falls back to the older retained checkpoint; in both cases every file stays
 * as it was, for a person to look at. The rocksdb runs take full checkpoints: the files
 * damaged here are those of the canonical format.
 */
import { cpSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckpointCorruptedError, runJob, startJob } from 'eddy';
import type { JobClient, RunOptions } from 'eddy';
import { corruptCheckpointFile } from 'eddy/testing';
import {
  CHAOS_COUNT,
  compareCounts,
  concatAll,
  expectedCounts,
  finalCounts,
  fingerprintTree,
  lastAttemptSourceRecords,
  readMetadata,
  TempDirs,
} from './support.js';
import type { PrefixCount } from './support.js';
import { STATE_BACKENDS, stateBackendOption } from '../../support/state-backends.js';

const RECORDS = 100_000;

const dirs = new TempDirs('corrupt-checkpoint');
afterAll(() => dirs.removeAll());

describe.each(STATE_BACKENDS)('[%s] damaged checkpoints', (backend) => {
  const JOB_OPTIONS = {
    parallelism: 2,
    execution: 'single-thread',
    stateBackend: stateBackendOption(backend, { fullCheckpoints: true }),
    parameters: { records: String(RECORDS) },
  } satisfies RunOptions;

  /** A canceled run's retained checkpoints: the newest with a flipped byte in a keyed state file. */
  let jobDir: string;
  let older: string;
  let newest: string;
  let damagedFile: string;
  let firstRunOutput: PrefixCount[];

  beforeAll(async () => {
    const directory = dirs.make();
    let completed = 0;
    let client: JobClient | undefined;
    client = await startJob(CHAOS_COUNT, {
      ...JOB_OPTIONS,
      // the sources hold after 5,000 records each until the cancel, so the job cannot end first
      parameters: { records: String(RECORDS), holdAt: '5000', holdDir: dirs.make(), holdCheckpoints: String(Number.MAX_SAFE_INTEGER) },
      checkpoint: { interval: 20, retained: 2, retentionOnCancel: 'retain', directory },
      onCheckpoint: (stats) => {
        // checkpoints complete only after startJob has returned the client
        if (stats.status === 'completed' && ++completed === 3) void client!.cancel();
      },
    });
    const result = await client.result;
    expect(result.status).toBe('canceled');
    firstRunOutput = result.output<PrefixCount>('counts');
    jobDir = join(directory, result.jobId);
    const kept = result.checkpoints.filter((c) => c.status === 'completed').slice(-2);
    [older, newest] = kept.map((c) => c.directory!) as [string, string];
    const keyed = readMetadata(newest).operators.find((op) => op.uid === 'count')!.subtasks[0]!.keyed!;
    damagedFile = join(newest, keyed.file);
    await corruptCheckpointFile(damagedFile, { flipByteAt: Math.floor(statSync(damagedFile).size / 2) });
  }, 60_000);

  /** Fingerprints of the files of both retained checkpoints. */
  function retainedFiles() {
    return { older: fingerprintTree(older), newest: fingerprintTree(newest) };
  }

  describe('a retained checkpoint with a damaged state file', () => {
    it('makes startJob and runJob reject with a CheckpointCorruptedError naming the file, and leaves every file as it was', { timeout: 60_000 }, async () => {
      const before = retainedFiles();
      const options = { ...JOB_OPTIONS, fromSavepoint: newest, checkpoint: { interval: 20, directory: dirs.make() } };
      for (const start of [() => startJob(CHAOS_COUNT, options), () => runJob(CHAOS_COUNT, options)]) {
        const error = await start().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(CheckpointCorruptedError);
        const corrupted = error as CheckpointCorruptedError;
        expect(corrupted.name).toBe('CheckpointCorruptedError');
        expect(corrupted.path).toBe(damagedFile);
        expect(corrupted.problem).toBe('checksum-mismatch');
        expect(corrupted.message).toContain(damagedFile);
      }
      expect(retainedFiles()).toEqual(before);
    });

    it('is passed over for the older retained checkpoint when the job directory is given, and the counts end exact', { timeout: 60_000 }, async () => {
      const before = retainedFiles();
      const warnings: string[] = [];
      const result = await runJob(CHAOS_COUNT, {
        ...JOB_OPTIONS,
        parameters: { records: String(RECORDS) },
        fromSavepoint: jobDir,
        checkpoint: { interval: 20, directory: dirs.make() },
        onWarning: (message) => warnings.push(message),
      });
      expect(result.status).toBe('finished');
      expect(warnings.some((w) => w.includes(newest) && w.includes(damagedFile))).toBe(true);
      expect(warnings.some((w) => w.includes(older))).toBe(true);
      expect(lastAttemptSourceRecords(result)).toBeLessThan(RECORDS);

      const output = result.output<PrefixCount>('counts');
      // the state came from a valid checkpoint: every count ends exact, none goes beyond
      expect(finalCounts(output)).toEqual(expectedCounts(RECORDS));
      // the older checkpoint's records were committed by the first run already, so both runs
      // together may hold some twice (resuming from an older checkpoint), but none is missing
      const together = compareCounts(concatAll([firstRunOutput, output]), RECORDS);
      expect({ missing: together.missing, overCounted: together.overCounted, unexpected: together.unexpected }, together.examples.join('\n')).toEqual({
        missing: 0,
        overCounted: 0,
        unexpected: 0,
      });
      expect(retainedFiles()).toEqual(before);
    });
  });

  describe('other damage to a checkpoint', () => {
    it.each<[string, string, (dir: string) => { file: string; truncateTo?: number; flipByteAt?: number }, CheckpointCorruptedError['problem']]>([
      ['a flipped byte in _metadata', '_metadata', () => ({ file: '_metadata', flipByteAt: -3 }), 'checksum-mismatch'],
      [
        'a flipped byte in an operator state file',
        'the sink state',
        (dir) => ({ file: readMetadata(dir).operators.find((op) => op.uid === 'sink')!.subtasks[0]!.operatorState!.file, flipByteAt: -1 }),
        'checksum-mismatch',
      ],
      [
        'a truncated keyed state file',
        'the count state',
        (dir) => {
          const file = readMetadata(dir).operators.find((op) => op.uid === 'count')!.subtasks[1]!.keyed!.file;
          return { file, truncateTo: Math.floor(statSync(join(dir, file)).size / 2) };
        },
        'truncated',
      ],
    ])('rejects a copy of a checkpoint with %s (%s), naming the file, and changes nothing', { timeout: 60_000 }, async (_what, _where, choose, problem) => {
      const copy = join(dirs.make(), basename(older));
      cpSync(older, copy, { recursive: true });
      const { file, ...damage } = choose(copy);
      await corruptCheckpointFile(join(copy, file), damage);
      const before = fingerprintTree(copy);
      const error = await runJob(CHAOS_COUNT, { ...JOB_OPTIONS, fromSavepoint: copy }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CheckpointCorruptedError);
      expect((error as CheckpointCorruptedError).path).toBe(join(copy, file));
      expect((error as CheckpointCorruptedError).problem).toBe(problem);
      expect((error as Error).message).toContain(join(copy, file));
      expect(fingerprintTree(copy)).toEqual(before);
    });
  });
});
