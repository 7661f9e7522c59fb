import { rm, truncate } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncrementalKeyedStateHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { assignRestore } from '../../../src/checkpoint/restore/restore-assignment.js';
import { loadTaskRestore } from '../../../src/checkpoint/restore/task-restore-loader.js';
import { CheckpointCorruptedError } from '../../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import type { IncrementalKeyedStateSnapshot } from '../../../src/state/keyed-state-backend.js';
import { newStorage, snapshotTree } from '../storage/support.js';
import { disposeBackends, newJob, UID } from './support.js';

afterEach(disposeBackends);

/** Two completed incremental checkpoints of a job (retained 2); the second refers to files of the first. */
async function twoCheckpoints() {
  const storage = await newStorage();
  const job = await newJob(storage, { retained: 2 });
  await job.backends[0]!.flush(100);
  await job.backends[1]!.flush(200);
  const first = await job.checkpoint();
  await job.backends[0]!.flush(50);
  const second = await job.checkpoint();
  job.coordinator.shutdown();
  const metadata = await FileSystemCheckpointStorage.readCheckpoint(storage.checkpointDirectory(second));
  const handles = metadata.operators[0]!.subtasks.map((s) => s.keyed as IncrementalKeyedStateHandle);
  return { storage, first, second, metadata, handles };
}

const vertex = (parallelism: number) => ({
  id: 0,
  parallelism,
  maxParallelism: 128,
  operators: [{ uid: UID, name: 'Count', isSource: false, keyed: true }],
});

describe('restoring incremental checkpoints', () => {
  it('verifies every shared and private file of an incremental checkpoint by existence and size', async () => {
    const { storage, second } = await twoCheckpoints();
    await expect(FileSystemCheckpointStorage.verifyCheckpoint(storage.checkpointDirectory(second))).resolves.toMatchObject({ checkpointId: second });
  });

  it('skips a checkpoint whose shared file is missing, for the older one, and changes nothing on disk', async () => {
    const { storage, first, second, handles } = await twoCheckpoints();
    const onlySecond = handles[0]!.sharedFiles.find((f) => f.size === 50)!;
    await rm(resolve(storage.checkpointDirectory(second), onlySecond.file));
    const before = await snapshotTree(storage.jobDirectory);

    const scan = await storage.scanCheckpoints();

    expect(scan.latest?.metadata.checkpointId).toBe(first);
    expect(scan.skipped).toHaveLength(1);
    expect(scan.skipped[0]!.error).toBeInstanceOf(CheckpointCorruptedError);
    expect((scan.skipped[0]!.error as CheckpointCorruptedError).problem).toBe('missing-file');
    expect(scan.skipped[0]!.reason).toMatch(new RegExp(`^shared file '.*-${onlySecond.name.replace('.', '\\.')}' is missing`));
    expect(await snapshotTree(storage.jobDirectory)).toEqual(before);
  });

  it('skips a checkpoint whose shared file has another size than recorded', async () => {
    const { storage, first, second, handles } = await twoCheckpoints();
    await truncate(resolve(storage.checkpointDirectory(second), handles[1]!.sharedFiles[0]!.file), 10);
    const scan = await storage.scanCheckpoints();
    // the truncated file is shared by both checkpoints: neither is valid
    expect(scan.latest).toBeUndefined();
    expect(scan.skipped.map((s) => (s.error as CheckpointCorruptedError).problem)).toEqual(['truncated', 'truncated']);
    expect(first).toBeLessThan(second);
  });

  it('skips a checkpoint whose private file is missing', async () => {
    const { storage, second, handles } = await twoCheckpoints();
    await rm(resolve(storage.checkpointDirectory(second), handles[0]!.privateFiles[0]!.file));
    await expect(FileSystemCheckpointStorage.verifyCheckpoint(storage.checkpointDirectory(second))).rejects.toMatchObject({ problem: 'missing-file' });
  });

  it('assigns incremental handles by key-group overlap and loads them as snapshots with absolute paths, reading no file', async () => {
    const { storage, second, metadata, handles } = await twoCheckpoints();
    const directory = storage.checkpointDirectory(second);
    // at parallelism 3, subtask 1 (key groups 43..85) overlaps both old subtasks (0..63, 64..127)
    const descriptors = assignRestore(metadata, directory, [vertex(3)]);
    const descriptor = descriptors.get('0:1')!;
    expect(descriptor.operators[0]!.keyed).toEqual(handles);
    expect(descriptors.get('0:0')!.operators[0]!.keyed).toEqual([handles[0]]);
    expect(descriptors.get('0:2')!.operators[0]!.keyed).toEqual([handles[1]]);

    const read = () => Promise.reject(new Error('an incremental handle is not read'));
    const restored = await loadTaskRestore(descriptor, read);
    const snapshots = restored.operators.get(UID)!.keyed as IncrementalKeyedStateSnapshot[];
    expect(snapshots.map((s) => s.type)).toEqual(['incremental', 'incremental']);
    expect(snapshots[0]).toMatchObject({ checkpointId: second, backend: 'rocksdb', maxParallelism: 128, keyGroupRange: [0, 63], states: handles[0]!.states });
    expect(snapshots[0]!.uploaded).toBeUndefined();
    for (const [i, snapshot] of snapshots.entries()) {
      for (const [kind, files] of [['shared', snapshot.sharedFiles], ['private', snapshot.privateFiles]] as const) {
        const recorded = kind === 'shared' ? handles[i]!.sharedFiles : handles[i]!.privateFiles;
        expect(files.map((f) => f.file)).toEqual(recorded.map((f) => resolve(directory, f.file)));
        expect(files.map((f) => [f.name, f.size])).toEqual(recorded.map((f) => [f.name, f.size]));
        expect(files.every((f) => isAbsolute(f.file))).toBe(true);
      }
    }
    expect(snapshots[0]!.sharedFiles[0]!.file.startsWith(storage.sharedDirectory)).toBe(true);
  });
});
