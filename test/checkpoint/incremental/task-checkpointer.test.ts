import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncrementalKeyedStateHandle, TaskCheckpointAck } from '../../../src/checkpoint/checkpoint-metadata.js';
import type { CheckpointFileStore } from '../../../src/checkpoint/storage/checkpoint-file-store.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import type { StateFileWriter } from '../../../src/runtime/task/task-checkpointer.js';
import { newStorage, tempDirectory } from '../storage/support.js';
import { disposeBackends, filesIn, keyedTask, newBackend, UID } from './support.js';
import type { KeyedTask } from './support.js';

afterEach(disposeBackends);

/** `storage`, recording every file its file stores store; `onLastStore` runs after a private CURRENT file is stored. */
function recordingWriter(storage: FileSystemCheckpointStorage, stored: string[], onLastStore: (checkpointId: number) => void): StateFileWriter {
  return {
    writeStateFile: (...args) => storage.writeStateFile(...args),
    fileStore: (checkpointId, uid, subtaskIndex): CheckpointFileStore => {
      const store = storage.fileStore(checkpointId, uid, subtaskIndex);
      return {
        get stored() {
          return store.stored;
        },
        storeShared: async (path) => {
          const file = await store.storeShared(path);
          stored.push(file.file);
          return file;
        },
        storePrivate: async (path) => {
          const file = await store.storePrivate(path);
          stored.push(file.file);
          if (file.name === 'CURRENT') onLastStore(checkpointId);
          return file;
        },
        owns: (path) => store.owns(path),
        locate: (path) => store.locate(path),
        discardStored: () => store.discardStored(),
      };
    },
  };
}

function incrementalOf(ack: { operators: readonly { state: { keyed?: unknown } }[] }): IncrementalKeyedStateHandle {
  const keyed = ack.operators[0]!.state.keyed as IncrementalKeyedStateHandle;
  expect(keyed.type).toBe('incremental');
  return keyed;
}

describe('TaskCheckpointer with an incremental keyed backend', () => {
  it('gives the backend the checkpoint file store and acknowledges an incremental handle with what it uploaded', async () => {
    const storage = await newStorage();
    const backend = await newBackend();
    const [a, b] = [await backend.flush(1000), await backend.flush(3000)];
    const task = keyedTask(backend, storage);

    await task.checkpoint(1);

    expect(backend.snapshotCalls[0]!.options).toMatchObject({ savepoint: false });
    expect(backend.snapshotCalls[0]!.options?.files).toBeDefined();
    expect(task.declines).toEqual([]);
    const ack = task.acks[0]!;
    const handle = incrementalOf(ack);
    expect(handle).toMatchObject({ backend: 'rocksdb', keyGroupRange: [0, 127], states: backend.states });
    expect(handle.sharedFiles.map((f) => [f.name, f.size])).toEqual([[a, 1000], [b, 3000]]);
    expect(handle.sharedFiles.every((f) => f.file.startsWith('../shared/'))).toBe(true);
    expect(handle.privateFiles.map((f) => f.name)).toEqual(['MANIFEST-000005', 'CURRENT']);
    expect(ack.uploadedSharedFiles).toEqual(handle.sharedFiles.map((f) => f.file));
    const privateBytes = handle.privateFiles.reduce((n, f) => n + f.size, 0);
    expect(ack.stats.stateBytes).toBe(4000 + privateBytes);
    expect(ack.stats.fullStateBytes ?? ack.stats.stateBytes).toBe(4000 + privateBytes);
    // the files are in storage, byte for byte
    const directory = storage.checkpointDirectory(1);
    for (const f of [...handle.sharedFiles, ...handle.privateFiles]) {
      expect((await stat(resolve(directory, f.file))).size).toBe(f.size);
    }
    expect(await readFile(resolve(directory, handle.sharedFiles[0]!.file))).toEqual(await readFile(join(backend.directory, a)));
  });

  it('counts only the uploaded shared files and the private files in stateBytes once earlier files are referred to', async () => {
    const storage = await newStorage();
    const backend = await newBackend();
    const a = await backend.flush(5000);
    const task = keyedTask(backend, storage);
    await task.checkpoint(1);
    backend.notifyCheckpointComplete(1);
    const b = await backend.flush(700);

    await task.checkpoint(2);

    const ack = task.acks[1]!;
    const handle = incrementalOf(ack);
    const first = incrementalOf(task.acks[0]!);
    expect(handle.sharedFiles.find((f) => f.name === a)).toEqual(first.sharedFiles.find((f) => f.name === a));
    const uploaded = handle.sharedFiles.filter((f) => f.name === b);
    expect(ack.uploadedSharedFiles).toEqual(uploaded.map((f) => f.file));
    const privateBytes = handle.privateFiles.reduce((n, f) => n + f.size, 0);
    expect(ack.stats.stateBytes).toBe(700 + privateBytes);
    expect(ack.stats.fullStateBytes).toBe(5700 + privateBytes);
  });

  it('names private files per subtask, so two subtasks with the same native file names do not collide', async () => {
    const storage = await newStorage();
    const [b0, b1] = [await newBackend(), await newBackend()];
    await b0.flush(10);
    await b1.flush(10);
    const [t0, t1] = [keyedTask(b0, storage, { subtaskIndex: 0 }), keyedTask(b1, storage, { subtaskIndex: 1 })];
    await Promise.all([t0.checkpoint(1), t1.checkpoint(1)]);

    const files = [t0, t1].flatMap((t) => incrementalOf(t.acks[0]!).privateFiles.map((f) => f.file));
    expect(new Set(files).size).toBe(4);
    expect(await filesIn(storage.checkpointDirectory(1))).toEqual([...files].sort());
  });

  it('deletes what the snapshot stored when the checkpoint is aborted before it is acknowledged', async () => {
    const storage = await newStorage();
    const backend = await newBackend();
    await backend.flush(100);
    await backend.flush(200);
    const stored: string[] = [];
    let task: KeyedTask | undefined;
    // the checkpoint is aborted while the backend stores its last file
    const writer = recordingWriter(storage, stored, (checkpointId) => task!.checkpointer.abort(checkpointId));
    task = keyedTask(backend, writer);

    await task.checkpoint(1);

    expect(stored).toHaveLength(4); // two SST files, MANIFEST and CURRENT
    expect(task.acks).toEqual([]);
    expect(task.declines).toEqual([]);
    expect(await filesIn(storage.sharedDirectory)).toEqual([]);
    expect(await filesIn(storage.checkpointDirectory(1))).toEqual([]);
  });

  it('deletes what the snapshot stored, and declines, when the acknowledgement cannot be sent', async () => {
    const storage = await newStorage();
    const backend = await newBackend();
    await backend.flush(100);
    const sent: TaskCheckpointAck[] = [];
    const task = keyedTask(backend, storage, {
      acknowledge: (ack) => {
        sent.push(ack);
        throw new Error('port closed');
      },
    });

    await task.checkpoint(1);

    expect(incrementalOf(sent[0]!).sharedFiles).toHaveLength(1);
    expect(task.declines.map((d) => [d.checkpointId, String(d.reason)])).toEqual([[1, 'Error: port closed']]);
    expect(await filesIn(storage.sharedDirectory)).toEqual([]);
    expect(await filesIn(storage.checkpointDirectory(1))).toEqual([]);
  });

  it('declines, leaving nothing behind, when storing a file fails', async () => {
    const storage = new FileSystemCheckpointStorage({
      directory: await tempDirectory(),
      jobId: 'job-1',
      faults: { failNthStateWrite: 2, errorCode: 'EIO' },
    });
    const backend = await newBackend();
    await backend.flush(100);
    await backend.flush(100);
    const task = keyedTask(backend, storage);

    await task.checkpoint(1);

    expect(task.acks).toEqual([]);
    expect(String(task.declines[0]!.reason)).toMatch(/EIO/);
    // the first file was stored before the second failed: the file store remembers it
    expect(await filesIn(storage.sharedDirectory)).toEqual([]);
  });

  it('asks for a full snapshot without a file store for a savepoint, and writes it into the savepoint directory', async () => {
    const storage = await newStorage();
    const backend = await newBackend();
    await backend.flush(100);
    const target = join(await tempDirectory(), 'savepoint-abc-000000000000');
    const task = keyedTask(backend, storage);

    await task.checkpoint(3, target);

    expect(backend.snapshotCalls[0]!.options).toEqual({ savepoint: true });
    // the backend had no key groups with data: nothing keyed to store
    expect(task.acks[0]!.operators).toEqual([]);
    expect(task.acks[0]!.uploadedSharedFiles).toBeUndefined();
    expect(await filesIn(storage.sharedDirectory)).toEqual([]);
  });

  it('gives no file store when the task has no checkpoint storage', async () => {
    const backend = await newBackend();
    const target = join(await tempDirectory(), 'savepoint-abc-000000000001');
    const task = keyedTask(backend, undefined);
    await task.checkpoint(1, target);
    expect(backend.snapshotCalls[0]!.options).toEqual({ savepoint: true });
    expect(task.acks[0]!.stats.stateBytes).toBe(0);
    expect(UID).toBe('count');
  });
});
