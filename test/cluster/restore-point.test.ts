/**
 * The forms `--from-savepoint PATH` accepts (cluster/restore-point.ts): a checkpoint or
 * savepoint directory, its `_metadata` file, a run's checkpoint directory; and the
 * messages for everything else, which name the path and what was expected.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointMetadata } from '../../src/checkpoint/checkpoint-metadata.js';
import { CheckpointCorruptedError } from '../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { FileSystemCheckpointStorage } from '../../src/checkpoint/storage/checkpoint-storage.js';
import { writeJobRunRecord } from '../../src/checkpoint/storage/job-run-record.js';
import { writeSavepointMetadata } from '../../src/checkpoint/storage/savepoint-storage.js';
import { resolveRestorePoint } from '../../src/cluster/restore-point.js';

let root: string;
let warnings: string[];
const warn = (m: string) => warnings.push(m);
const JOB = '0123456789abcdef0123456789abcdef';

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'eddy-restore-point-'));
  warnings = [];
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function metadata(checkpointId: number, kind: 'checkpoint' | 'savepoint' = 'checkpoint'): CheckpointMetadata {
  return { format: 'eddy-checkpoint', version: 1, jobId: JOB, checkpointId, kind, triggerTimestamp: 1, completionTimestamp: 2, operators: [] };
}

async function checkpoints(...ids: number[]): Promise<string[]> {
  const storage = new FileSystemCheckpointStorage({ directory: join(root, 'ck'), jobId: JOB });
  await writeJobRunRecord(storage.jobDirectory, { name: 'job', startedAt: '2026-01-01T00:00:00.000Z', status: 'running' });
  return Promise.all(ids.map((id) => storage.writeMetadata(metadata(id))));
}

describe('resolveRestorePoint', () => {
  it('takes a checkpoint directory, its _metadata file, and the run directory (its newest valid checkpoint)', async () => {
    const [chk2, chk3] = await checkpoints(2, 3);
    expect((await resolveRestorePoint(chk2!, warn)).directory).toBe(chk2);
    expect((await resolveRestorePoint(join(chk2!, '_metadata'), warn)).directory).toBe(chk2);
    expect((await resolveRestorePoint(join(root, 'ck', JOB), warn)).directory).toBe(chk3);
    expect(warnings).toEqual([]);
  });

  it("takes a run directory's stop savepoint when it is the newest, and an older checkpoint for a broken newer one", async () => {
    const [chk2, chk3] = await checkpoints(2, 3);
    const savepoint = join(root, 'ck', JOB, 'savepoint-012345-000000000001');
    await writeSavepointMetadata(savepoint, metadata(4, 'savepoint'));
    expect((await resolveRestorePoint(join(root, 'ck', JOB), warn)).directory).toBe(savepoint);
    writeFileSync(join(savepoint, '_metadata'), 'broken');
    writeFileSync(join(chk3!, '_metadata'), 'broken');
    expect((await resolveRestorePoint(join(root, 'ck', JOB), warn)).directory).toBe(chk2);
    expect(warnings).toHaveLength(3); // two skipped, and which older one is used
  });

  it('refuses the checkpoint directory root, naming the runs in it and --resume', async () => {
    await checkpoints(2);
    const ck = join(root, 'ck');
    await expect(resolveRestorePoint(ck, warn)).rejects.toThrow(
      `cannot restore from '${ck}': it holds the checkpoints of 1 run(s) (${join(ck, JOB)}); give one of them (<checkpoint-dir>/<job-id>), or use --resume --checkpoint-dir '${ck}' to resume the newest run of the job`,
    );
  });

  it('names the path and the accepted forms for a missing path, a file that is not _metadata, and an unrelated directory', async () => {
    const missing = join(root, 'nope');
    await expect(resolveRestorePoint(missing, warn)).rejects.toThrow(new RegExp(`^cannot restore from '${missing}': it does not exist; give a checkpoint or savepoint directory`));
    const file = join(root, 'notes.txt');
    writeFileSync(file, '');
    await expect(resolveRestorePoint(file, warn)).rejects.toThrow(`cannot restore from '${file}': it is a file, not a checkpoint`);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const error = await resolveRestorePoint(empty, warn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointCorruptedError);
    expect((error as Error).message).toMatch(/it has no _metadata, no chk-<n> directories and no runs' directories; give a checkpoint or savepoint directory .*its _metadata file/);
  });

  it('refuses a chk-<n>/_metadata path whose checkpoint is broken with the checkpoint problem, not a job id message', async () => {
    const [chk2] = await checkpoints(2);
    writeFileSync(join(chk2!, '_metadata'), 'broken');
    const error = await resolveRestorePoint(join(chk2!, '_metadata'), warn).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointCorruptedError);
    expect((error as Error).message).toContain(chk2);
    expect((error as Error).message).not.toMatch(/jobId/);
  });
});
