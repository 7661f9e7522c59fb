/**
 * A run's record (`_job.json`), the job name in `_metadata`, and what a run's end deletes:
 * its checkpoints, never its record or the savepoints it took on stop.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointMetadata } from '../../../src/checkpoint/checkpoint-metadata.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import { readJobRunRecord, writeJobRunRecord } from '../../../src/checkpoint/storage/job-run-record.js';
import { writeSavepointMetadata } from '../../../src/checkpoint/storage/savepoint-storage.js';
import { warnAboutForeignSourcePositions } from '../../../src/cluster/source-position-warnings.js';
import { CheckpointError } from '../../../src/core/errors.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'eddy-job-record-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const JOB = 'run1';

function metadata(checkpointId: number, extra: Partial<CheckpointMetadata> = {}): CheckpointMetadata {
  return {
    format: 'eddy-checkpoint',
    version: 1,
    jobId: JOB,
    checkpointId,
    kind: 'checkpoint',
    triggerTimestamp: 1,
    completionTimestamp: 2,
    operators: [{ uid: 'numbers', name: 'numbers', parallelism: 1, maxParallelism: 128, subtasks: [{ subtaskIndex: 0, sourcePosition: 42 }] }],
    ...extra,
  };
}

describe('_job.json', () => {
  it('round-trips a record, opening with its format and version', async () => {
    const dir = join(root, JOB);
    const record = { name: 'word-count', startedAt: '2026-01-01T00:00:00.000Z', status: 'stopped' as const, restoredFrom: '/ck/x/chk-5', savepoint: '/ck/run1/savepoint-a', endedAt: '2026-01-01T00:01:00.000Z', checkpointsDiscarded: true };
    await writeJobRunRecord(dir, record);
    expect(readFileSync(join(dir, '_job.json'), 'utf8')).toMatch(/^\{\n {2}"format": "eddy-job",\n {2}"version": 1,\n {2}"name": "word-count",/);
    expect(await readJobRunRecord(dir)).toEqual(record);
    expect(await readJobRunRecord(join(root, 'none'))).toBeUndefined();
  });

  it('refuses a record of another version or shape, naming the file', async () => {
    const dir = join(root, JOB);
    mkdirSync(dir);
    writeFileSync(join(dir, '_job.json'), JSON.stringify({ format: 'eddy-job', version: 2, name: 'x', startedAt: '2026-01-01T00:00:00.000Z', status: 'running' }));
    await expect(readJobRunRecord(dir)).rejects.toThrow(CheckpointError);
    await expect(readJobRunRecord(dir)).rejects.toThrow(`'${join(dir, '_job.json')}' is not a job record: version`);
  });
});

describe('a run that ends', () => {
  it("deletes its checkpoints and shared files but keeps _job.json and its stop savepoints", async () => {
    const storage = new FileSystemCheckpointStorage({ directory: root, jobId: JOB, jobName: 'job' });
    await writeJobRunRecord(storage.jobDirectory, { name: 'job', startedAt: '2026-01-01T00:00:00.000Z', status: 'running' });
    await storage.writeMetadata(metadata(1));
    mkdirSync(storage.sharedDirectory);
    writeFileSync(join(storage.sharedDirectory, 'a.sst'), 'x');
    await writeSavepointMetadata(join(storage.jobDirectory, 'savepoint-run1ab-000000000001'), metadata(2, { kind: 'savepoint' }));
    await storage.discardCheckpoints();
    expect(readdirSync(storage.jobDirectory).sort()).toEqual(['_job.json', 'savepoint-run1ab-000000000001']);
  });
});

describe('the job name in _metadata', () => {
  it("is written right after the job id by a storage that knows it, and metadata without it still reads", async () => {
    const named = await new FileSystemCheckpointStorage({ directory: root, jobId: JOB, jobName: 'word-count' }).writeMetadata(metadata(1));
    expect(readFileSync(join(named, '_metadata'), 'utf8')).toContain(`"jobId": "${JOB}",\n  "jobName": "word-count",\n  "checkpointId": 1`);
    expect((await FileSystemCheckpointStorage.readCheckpoint(named)).jobName).toBe('word-count');
    const unnamed = await new FileSystemCheckpointStorage({ directory: join(root, 'old'), jobId: JOB }).writeMetadata(metadata(1));
    expect((await FileSystemCheckpointStorage.readCheckpoint(unnamed)).jobName).toBeUndefined();
  });

  it("makes a restore by another job warn once per source with a saved position; the same job's restore does not", async () => {
    const warnings: string[] = [];
    const restored = { metadata: metadata(1, { jobName: 'orders' }), directory: join(root, 'x') };
    await warnAboutForeignSourcePositions(restored, 'orders-copy', ['numbers', 'other'], (m) => warnings.push(m));
    expect(warnings).toEqual(["source 'numbers' resumes at the position saved by job 'orders'"]);
    await warnAboutForeignSourcePositions(restored, 'orders', ['numbers'], (m) => warnings.push(m));
    expect(warnings).toHaveLength(1);
  });

  it("takes the saving job's name from the run's _job.json when the metadata has none", async () => {
    const chk = await new FileSystemCheckpointStorage({ directory: root, jobId: JOB }).writeMetadata(metadata(1));
    await writeJobRunRecord(join(root, JOB), { name: 'orders', startedAt: '2026-01-01T00:00:00.000Z', status: 'running' });
    const warnings: string[] = [];
    await warnAboutForeignSourcePositions({ metadata: metadata(1), directory: chk }, 'clicks', ['numbers'], (m) => warnings.push(m));
    expect(warnings).toEqual(["source 'numbers' resumes at the position saved by job 'orders'"]);
  });
});
