/**
 * The rule by which `--resume` picks a checkpoint among earlier runs (cluster/resume-point.ts),
 * on checkpoint directories laid out as runs leave them: the sequences in which a wrong
 * pick would repeat committed output (a resumed run that checkpointed, finished, stopped,
 * or crashed before its first checkpoint), broken checkpoints, and other jobs' runs.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointMetadata } from '../../src/checkpoint/checkpoint-metadata.js';
import { FileSystemCheckpointStorage } from '../../src/checkpoint/storage/checkpoint-storage.js';
import { writeJobRunRecord } from '../../src/checkpoint/storage/job-run-record.js';
import type { JobRunRecord } from '../../src/checkpoint/storage/job-run-record.js';
import { writeSavepointMetadata } from '../../src/checkpoint/storage/savepoint-storage.js';
import { findResumePoint } from '../../src/cluster/resume-point.js';
import { RestoreError } from '../../src/core/errors.js';

let root: string;
let warnings: string[];
const warn = (m: string) => warnings.push(m);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'eddy-resume-point-'));
  warnings = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function metadata(jobId: string, checkpointId: number, kind: 'checkpoint' | 'savepoint' = 'checkpoint'): CheckpointMetadata {
  return { format: 'eddy-checkpoint', version: 1, jobId, checkpointId, kind, triggerTimestamp: 1, completionTimestamp: 2, operators: [] };
}

/** A run's directory with its record. */
async function runOf(jobId: string, record: Partial<JobRunRecord> & { startedAt: string }): Promise<string> {
  const dir = join(root, jobId);
  await writeJobRunRecord(dir, { name: 'job', status: 'running', ...record });
  return dir;
}

/** A completed checkpoint `chk-<id>` of run `jobId`. */
async function checkpoint(jobId: string, id: number): Promise<string> {
  return new FileSystemCheckpointStorage({ directory: root, jobId }).writeMetadata(metadata(jobId, id));
}

/** A savepoint taken on stop in run `jobId`'s directory. */
async function stopSavepoint(jobId: string, id: number, name = 'savepoint-aaaaaa-000000000001'): Promise<string> {
  const dir = join(root, jobId, name);
  await writeSavepointMetadata(dir, metadata(jobId, id, 'savepoint'));
  return dir;
}

function breakCheckpoint(dir: string): void {
  writeFileSync(join(dir, '_metadata'), 'not a checkpoint');
}

async function pick(name = 'job'): Promise<string | undefined> {
  const decision = await findResumePoint(root, name, warn);
  return decision.kind === 'resume' ? decision.checkpoint.directory : undefined;
}

describe('findResumePoint', () => {
  it('starts fresh, saying where it looked, when the directory does not exist or has no run of the job', async () => {
    rmSync(root, { recursive: true });
    expect(await findResumePoint(root, 'job', warn)).toEqual({ kind: 'fresh', reason: `no checkpoint of job 'job' in ${root}` });
    mkdirSync(root);
    await runOf('run-other', { startedAt: '2026-01-01T00:00:00.000Z', name: 'other' });
    await checkpoint('run-other', 3);
    expect(await pick()).toBeUndefined();
    expect(await pick('other')).toBe(join(root, 'run-other', 'chk-3'));
  });

  it('resumes a crashed run from its newest valid checkpoint', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    await checkpoint('run1', 4);
    await checkpoint('run1', 5);
    expect(await pick()).toBe(join(root, 'run1', 'chk-5'));
  });

  it("never goes back to run 1's checkpoint once run 2, resumed from it, completed a newer one", async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    const chk5 = await checkpoint('run1', 5);
    await runOf('run2', { startedAt: '2026-01-01T01:00:00.000Z', restoredFrom: chk5 });
    await checkpoint('run2', 7);
    expect(await pick()).toBe(join(root, 'run2', 'chk-7'));
  });

  it('starts fresh when the newest run finished, although an older run left a checkpoint', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    const chk5 = await checkpoint('run1', 5);
    await runOf('run2', { startedAt: '2026-01-01T01:00:00.000Z', restoredFrom: chk5, status: 'finished', checkpointsDiscarded: true });
    const decision = await findResumePoint(root, 'job', warn);
    expect(decision).toEqual({ kind: 'fresh', reason: "the last run of job 'job' (run2, started 2026-01-01T01:00:00.000Z) finished" });
  });

  it('falls back to what the newest run restored from when it crashed before its first checkpoint', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    const chk5 = await checkpoint('run1', 5);
    await runOf('run2', { startedAt: '2026-01-01T01:00:00.000Z', restoredFrom: chk5 });
    const decision = await findResumePoint(root, 'job', warn);
    expect(decision.kind === 'resume' && decision.checkpoint.directory).toBe(chk5);
    expect(decision.kind === 'resume' && decision.reason).toContain('completed no checkpoint');
  });

  it('starts fresh when the newest run started fresh and crashed before its first checkpoint, whatever older runs left', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    await checkpoint('run1', 5);
    await runOf('run2', { startedAt: '2026-01-01T01:00:00.000Z' });
    expect(await pick()).toBeUndefined();
  });

  it('resumes from the savepoint a stopped run took, recorded or only present (a crash before the record)', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    await checkpoint('run1', 7);
    const savepoint = await stopSavepoint('run1', 8);
    expect(await pick()).toBe(savepoint); // status still running: the savepoint is newer than chk-7
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z', status: 'stopped', savepoint, checkpointsDiscarded: true });
    rmSync(join(root, 'run1', 'chk-7'), { recursive: true });
    expect(await pick()).toBe(savepoint);
  });

  it('resumes from a savepoint the stopped run wrote outside its directory (eddy stop --savepoint-path)', async () => {
    const elsewhere = join(root, 'savepoints', 'savepoint-aaaaaa-000000000002');
    await writeSavepointMetadata(elsewhere, metadata('run1', 9, 'savepoint'));
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z', status: 'stopped', savepoint: elsewhere, checkpointsDiscarded: true });
    expect(await pick()).toBe(elsewhere);
  });

  it('skips a broken newer checkpoint with a warning and never deletes it', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    await checkpoint('run1', 5);
    const chk6 = await checkpoint('run1', 6);
    breakCheckpoint(chk6);
    expect(await pick()).toBe(join(root, 'run1', 'chk-5'));
    expect(warnings).toEqual([expect.stringContaining(`skipping broken checkpoint ${chk6}`)]);
    expect(readFileSync(join(chk6, '_metadata'), 'utf8')).toBe('not a checkpoint'); // still there, untouched
  });

  it('refuses when every checkpoint of the newest run is broken, rather than repeat what it committed', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    const chk5 = await checkpoint('run1', 5);
    await runOf('run2', { startedAt: '2026-01-01T01:00:00.000Z', restoredFrom: chk5 });
    breakCheckpoint(await checkpoint('run2', 7));
    await expect(findResumePoint(root, 'job', warn)).rejects.toThrow(RestoreError);
    await expect(findResumePoint(root, 'job', warn)).rejects.toThrow(/every checkpoint of the last run of job 'job' \(run2.*is broken.*--from-savepoint/);
  });

  it('refuses when the newest run was canceled and deleted its checkpoints', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    const chk5 = await checkpoint('run1', 5);
    await runOf('run2', { startedAt: '2026-01-01T01:00:00.000Z', restoredFrom: chk5, status: 'canceled', checkpointsDiscarded: true });
    await expect(findResumePoint(root, 'job', warn)).rejects.toThrow(/was canceled and deleted its checkpoints/);
  });

  it('passes over an unreadable record with a warning', async () => {
    await runOf('run1', { startedAt: '2026-01-01T00:00:00.000Z' });
    await checkpoint('run1', 5);
    mkdirSync(join(root, 'junk'));
    writeFileSync(join(root, 'junk', '_job.json'), '{');
    expect(await pick()).toBe(join(root, 'run1', 'chk-5'));
    expect(warnings).toEqual([expect.stringContaining(`skipping ${join(root, 'junk')}: '${join(root, 'junk', '_job.json')}' is not valid JSON`)]);
  });
});
