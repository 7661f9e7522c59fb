import { rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncrementalKeyedStateHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { inspectCheckpoint } from '../../../src/checkpoint/inspect/checkpoint-inspection.js';
import { dumpState } from '../../../src/checkpoint/inspect/state-dump.js';
import { CheckpointCorruptedError } from '../../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import { ConfigError } from '../../../src/core/errors.js';
import { newStorage } from '../storage/support.js';
import { disposeBackends, newJob, UID } from './support.js';

afterEach(disposeBackends);

async function incrementalCheckpoint() {
  const storage = await newStorage();
  const job = await newJob(storage);
  await job.backends[0]!.flush(1000);
  await job.backends[0]!.flush(24);
  await job.backends[1]!.flush(2048);
  const id = await job.checkpoint();
  job.coordinator.shutdown();
  const directory = storage.checkpointDirectory(id);
  const metadata = await FileSystemCheckpointStorage.readCheckpoint(directory);
  return { storage, directory, handles: metadata.operators[0]!.subtasks.map((s) => s.keyed as IncrementalKeyedStateHandle) };
}

async function drain(lines: AsyncIterable<unknown>): Promise<unknown[]> {
  const all: unknown[] = [];
  for await (const line of lines) all.push(line);
  return all;
}

describe('eddy inspect on an incremental checkpoint', () => {
  it('shows each subtask\'s backend, key groups, states and the number and size of its shared and private files', async () => {
    const { directory, handles } = await incrementalCheckpoint();
    const privateBytes = handles.map((h) => h.privateFiles.reduce((n, f) => n + f.size, 0));

    const description = await inspectCheckpoint(directory);

    const op = description.operators.find((o) => o.uid === UID)!;
    expect(op.subtasks.map((s) => s.incrementalKeyed)).toEqual([
      {
        backend: 'rocksdb',
        keyGroupRange: [0, 63],
        bytes: 1024 + privateBytes[0]!,
        sharedFiles: { count: 2, bytes: 1024 },
        privateFiles: { count: 2, bytes: privateBytes[0]! },
        states: [{ name: 'count', kind: 'value', serializer: { id: 'eddy.msgpack', version: 1 }, descriptorVersion: 1 }],
      },
      expect.objectContaining({ keyGroupRange: [64, 127], sharedFiles: { count: 1, bytes: 2048 } }),
    ]);
    expect(op.subtasks.every((s) => s.keyed === undefined && s.states.length === 0)).toBe(true);
    expect(op.stateBytes).toBe(1024 + 2048 + privateBytes[0]! + privateBytes[1]!);
    expect(description.stateBytes).toBe(op.stateBytes);
    expect(description.totalBytes).toBe(description.metadataBytes + op.stateBytes);
  });

  it('reports a missing shared file as a damaged checkpoint', async () => {
    const { directory, handles } = await incrementalCheckpoint();
    await rm(resolve(directory, handles[1]!.sharedFiles[0]!.file));
    const error = await inspectCheckpoint(directory).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointCorruptedError);
    expect((error as CheckpointCorruptedError).problem).toBe('missing-file');
  });

  it('says that the entries of a state in an incremental snapshot can only be listed from a savepoint', async () => {
    const { directory, handles } = await incrementalCheckpoint();
    const error = await drain(dumpState(directory, `${UID}/count`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      `state 'count' of operator '${UID}' in checkpoint '${directory}' is in an incremental RocksDB snapshot, whose entries ` +
        `eddy inspect cannot read; its entries can only be listed from a savepoint, which is always in the ` +
        `backend-independent format: take one with 'eddy savepoint <job-id>' and inspect that`,
    );
    // nothing was read or changed
    expect((await stat(resolve(directory, handles[0]!.sharedFiles[0]!.file))).size).toBe(handles[0]!.sharedFiles[0]!.size);
  });

  it('names the states of incremental snapshots when the state asked for does not exist', async () => {
    const { directory } = await incrementalCheckpoint();
    await expect(drain(dumpState(directory, `${UID}/nope`))).rejects.toThrow(`its states are 'count'`);
  });
});
