/** Shared fixtures of the checkpoint storage tests: temporary directories and sample checkpoints. */
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { CheckpointMetadata, StateFileHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import type { StorageFaults } from '../../../src/checkpoint/storage/checkpoint-storage.js';

const created: string[] = [];

/** A fresh temporary directory, removed after the test. */
export async function tempDirectory(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'eddy-storage-'));
  created.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export const JOB_ID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** A storage for {@link JOB_ID} in a fresh temporary directory. */
export async function newStorage(faults?: StorageFaults): Promise<FileSystemCheckpointStorage> {
  return new FileSystemCheckpointStorage({ directory: await tempDirectory(), jobId: JOB_ID, ...(faults ? { faults } : {}) });
}

/** Deterministic bytes for a state file. */
export function bytesOf(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

/** Metadata of a job with a keyed operator (2 subtasks) and a source with operator state. */
export function sampleMetadata(
  checkpointId: number,
  files: { keyed0: StateFileHandle; keyed1: StateFileHandle; source: StateFileHandle },
  jobId = JOB_ID,
): CheckpointMetadata {
  return {
    format: 'eddy-checkpoint',
    version: 1,
    jobId,
    checkpointId,
    kind: 'checkpoint',
    triggerTimestamp: 1_700_000_000_000 + checkpointId,
    completionTimestamp: 1_700_000_000_050 + checkpointId,
    operators: [
      {
        uid: 'numbers',
        name: 'Source: numbers',
        parallelism: 1,
        maxParallelism: 128,
        subtasks: [{ subtaskIndex: 0, operatorState: files.source, sourcePosition: { next: 42 * checkpointId, split: 'a/ü' } }],
      },
      {
        uid: 'count per key/ü',
        name: 'count',
        parallelism: 2,
        maxParallelism: 128,
        subtasks: [
          {
            subtaskIndex: 0,
            keyed: { ...files.keyed0, keyGroupRange: [0, 63], keyGroups: [{ keyGroup: 3, offset: 16, length: 40 }, { keyGroup: 60, offset: 56, length: 8 }] },
          },
          { subtaskIndex: 1, keyed: { ...files.keyed1, keyGroupRange: [64, 127], keyGroups: [{ keyGroup: 64, offset: 16, length: 20 }] } },
        ],
      },
    ],
  };
}

/** Writes a complete sample checkpoint `checkpointId` through `storage`; returns its metadata and directory. */
export async function writeSampleCheckpoint(
  storage: FileSystemCheckpointStorage,
  checkpointId: number,
): Promise<{ metadata: CheckpointMetadata; directory: string }> {
  const [keyed0, keyed1, source] = await Promise.all([
    storage.writeStateFile(checkpointId, storage.stateFileName('count per key/ü', 0, 'keyed'), bytesOf(100, checkpointId)),
    storage.writeStateFile(checkpointId, storage.stateFileName('count per key/ü', 1, 'keyed'), bytesOf(60, checkpointId + 100)),
    storage.writeStateFile(checkpointId, storage.stateFileName('numbers', 0, 'operator'), bytesOf(24, checkpointId + 200)),
  ]);
  const metadata = sampleMetadata(checkpointId, { keyed0: keyed0!, keyed1: keyed1!, source: source! }, storage.config.jobId);
  const directory = await storage.writeMetadata(metadata);
  return { metadata, directory };
}

/** Every file under `root` with its bytes and mtime, to show that reading changed nothing. */
export async function snapshotTree(root: string): Promise<Map<string, { bytes: string; mtimeMs: number }>> {
  const result = new Map<string, { bytes: string; mtimeMs: number }>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    result.set(path, { bytes: entry.isFile() ? (await readFile(path)).toString('base64') : '<dir>', mtimeMs: info.mtimeMs });
  }
  return result;
}
