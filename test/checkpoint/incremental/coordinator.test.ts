import { readdir, stat } from 'node:fs/promises';
import { basename, relative, resolve, sep } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CompletedCheckpoint } from '../../../src/checkpoint/checkpoint-coordinator.js';
import type { IncrementalKeyedStateHandle, TaskCheckpointAck } from '../../../src/checkpoint/checkpoint-metadata.js';
import { incrementalSnapshot } from '../../../src/checkpoint/restore/task-restore-loader.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import type { CheckpointResponder } from '../../../src/runtime/task/task-checkpointer.js';
import { FakeIncrementalBackend } from '../../support/fake-incremental-backend.js';
import { newStorage, tempDirectory } from '../storage/support.js';
import { disposeBackends, filesIn, keyedTask, newBackend, newCoordinator, newJob } from './support.js';
import type { KeyedTask } from './support.js';

afterEach(disposeBackends);

/** The shared file names in storage. */
const sharedFiles = (storage: FileSystemCheckpointStorage) => filesIn(storage.sharedDirectory);

/** The stored names of the shared files subtask `subtask` acknowledged for checkpoint `id`, by native name. */
function storedNames(task: KeyedTask, id: number): Map<string, string> {
  const ack = task.acks.find((a) => a.checkpointId === id)!;
  const handle = ack.operators[0]!.state.keyed as IncrementalKeyedStateHandle;
  return new Map(handle.sharedFiles.map((f) => [f.name, basename(f.file)]));
}

describe('CheckpointCoordinator with incremental checkpoints', () => {
  it('deletes exactly the shared files that no retained checkpoint holds when a checkpoint is subsumed', async () => {
    const storage = await newStorage();
    const job = await newJob(storage, { retained: 1 });
    const [b0, b1] = job.backends as [FakeIncrementalBackend, FakeIncrementalBackend];
    const a0 = await b0.flush(100);
    const a1 = await b0.flush(200);
    const c0 = await b1.flush(300);
    const first = await job.checkpoint();
    expect(job.completed.map((s) => s.checkpointId)).toEqual([first]);
    const one = storedNames(job.tasks[0]!, first);
    const c0Stored = storedNames(job.tasks[1]!, first).get(c0)!;
    expect(await sharedFiles(storage)).toEqual([one.get(a0)!, one.get(a1)!, c0Stored].sort());

    const a2 = await b0.compact([a1], 150); // a1 is no longer live
    const second = await job.checkpoint();

    expect(job.completed.map((s) => s.checkpointId)).toEqual([first, second]);
    const two = storedNames(job.tasks[0]!, second);
    expect(two.get(a0)).toBe(one.get(a0)); // referred to, not stored again
    await vi.waitFor(async () => expect(await sharedFiles(storage)).toEqual([one.get(a0)!, two.get(a2)!, c0Stored].sort()));
    await vi.waitFor(async () => expect(await filesIn(storage.checkpointDirectory(first))).toEqual([])); // subsumed
    // the bytes uploaded by the second checkpoint: the new SST file and the private files
    const privateBytes = job.tasks.map((t) => (t.acks.at(-1)!.operators[0]!.state.keyed as IncrementalKeyedStateHandle).privateFiles.reduce((n, f) => n + f.size, 0));
    expect(job.completed[1]!.stateBytes).toBe(150 + privateBytes[0]! + privateBytes[1]!);
    expect(job.completed[1]!.fullStateBytes).toBe(100 + 150 + 300 + privateBytes[0]! + privateBytes[1]!);
    const registry = job.coordinator.sharedStateRegistry!;
    expect(registry.referenceCount(resolve(storage.sharedDirectory, one.get(a1)!))).toBe(0);
    expect(registry.referenceCount(resolve(storage.sharedDirectory, one.get(a0)!))).toBe(1);
  });

  it('keeps the files of every retained checkpoint and deletes a file once the last one holding it is subsumed', async () => {
    const storage = await newStorage();
    const job = await newJob(storage, { retained: 2 });
    const [b0] = job.backends as [FakeIncrementalBackend, FakeIncrementalBackend];
    const a0 = await b0.flush(100);
    const first = await job.checkpoint();
    const stored = storedNames(job.tasks[0]!, first).get(a0)!;
    const a1 = await b0.compact([a0], 100);
    const second = await job.checkpoint();
    expect(await sharedFiles(storage)).toContain(stored); // checkpoint 1 is still retained
    await job.checkpoint();
    await vi.waitFor(async () => expect(await sharedFiles(storage)).not.toContain(stored));
    expect(await sharedFiles(storage)).toContain(storedNames(job.tasks[0]!, second).get(a1)!);
  });

  it('aborts a checkpoint whose acknowledgement refers to a shared file no checkpoint holds, deleting its uploads', async () => {
    const storage = await newStorage();
    const job = newCoordinator(storage);
    const backends2 = [await newBackend(), await newBackend()];
    const dangling = resolve(storage.sharedDirectory, 'op-count-00000000-0-0000000000000000-000009.sst');
    // subtask 0 claims to refer to a file it never stored, as a backend with a stale view would
    const rewriting: CheckpointResponder = {
      acknowledge: (ack) => job.responder.acknowledge(ack.subtaskIndex === 0 ? withReference(ack, '../shared/' + basename(dangling)) : ack),
      decline: (...args) => job.responder.decline(...args),
    };
    const tasks = backends2.map((backend, subtaskIndex) => keyedTask(backend, storage, { subtaskIndex, forward: rewriting }));
    await backends2[0]!.flush(100);
    await backends2[1]!.flush(100);
    const id = job.coordinator.triggerCheckpoint()!;
    await Promise.all(tasks.map((t) => t.checkpoint(id)));

    expect(job.completed).toEqual([]);
    expect(job.aborted[0]!.failureReason).toMatch(/^task 0:0 refers to the shared file '.*000009\.sst', which no retained or pending checkpoint holds/);
    expect(job.abortedNotices).toEqual([id]);
    await vi.waitFor(async () => expect(await sharedFiles(storage)).toEqual([]));
    await vi.waitFor(async () => expect(await filesIn(storage.checkpointDirectory(id))).toEqual([]));
  });

  it('deletes what an aborted checkpoint uploaded, but not the files a retained checkpoint holds', async () => {
    const storage = await newStorage();
    const job = await newJob(storage);
    const [b0] = job.backends as [FakeIncrementalBackend, FakeIncrementalBackend];
    const a0 = await b0.flush(100);
    const first = await job.checkpoint();
    const kept = await sharedFiles(storage);
    await b0.flush(50);
    const id = job.coordinator.triggerCheckpoint()!;
    await job.tasks[0]!.checkpoint(id); // refers to a0, uploads the new file
    expect(job.tasks[0]!.acks.at(-1)!.uploadedSharedFiles).toHaveLength(1);
    expect(await sharedFiles(storage)).toHaveLength(kept.length + 1);

    job.coordinator.receiveDecline(id, { vertexId: 0, subtaskIndex: 1 }, 'disk full');

    await vi.waitFor(async () => expect(await sharedFiles(storage)).toEqual(kept));
    await vi.waitFor(async () => expect(await filesIn(storage.checkpointDirectory(id))).toEqual([]));
    expect(job.coordinator.sharedStateRegistry!.referenceCount(resolve(storage.sharedDirectory, storedNames(job.tasks[0]!, first).get(a0)!))).toBe(1);
  });

  it('deletes the uploads and private files of an acknowledgement that arrives after its checkpoint was aborted', async () => {
    const storage = await newStorage();
    const job = await newJob(storage);
    await job.backends[0]!.flush(100);
    const id = job.coordinator.triggerCheckpoint()!;
    job.coordinator.receiveDecline(id, { vertexId: 0, subtaskIndex: 1 }, 'not running', false);
    await vi.waitFor(async () => expect(await stat(storage.checkpointDirectory(id)).catch(() => undefined)).toBeUndefined());

    await job.tasks[0]!.checkpoint(id); // the task had not heard of the abort yet

    expect(job.tasks[0]!.acks[0]!.uploadedSharedFiles).toHaveLength(1);
    await vi.waitFor(async () => expect(await sharedFiles(storage)).toEqual([]));
    await vi.waitFor(async () => expect(await stat(storage.checkpointDirectory(id)).catch(() => undefined)).toBeUndefined());
  });

  it('never deletes or refers to the files of a checkpoint of another job it started from', async () => {
    const directory = await tempDirectory();
    const old = new FileSystemCheckpointStorage({ directory, jobId: 'old-job' });
    const oldJob = await newJob(old);
    await oldJob.backends[0]!.flush(100);
    const restoredId = await oldJob.checkpoint();
    const oldFiles = await sharedFiles(old);
    const restoredFrom = { metadata: await FileSystemCheckpointStorage.verifyCheckpoint(old.checkpointDirectory(restoredId)), directory: old.checkpointDirectory(restoredId) };

    const storage = new FileSystemCheckpointStorage({ directory, jobId: 'new-job' });
    const job = await newJob(storage, { restoredFrom });
    job.coordinator.restoring(restoredFrom);
    expect(job.coordinator.latestCompleted).toBeUndefined(); // not taken over
    // a backend restored from it stores its files anew: they are not in this job's storage
    const handle = restoredFrom.metadata.operators[0]!.subtasks[0]!.keyed as IncrementalKeyedStateHandle;
    job.backends[0]!.restore([incrementalSnapshot(handle, restoredFrom.directory, restoredId, 128)]);
    const first = await job.checkpoint();
    expect(job.tasks[0]!.acks[0]!.uploadedSharedFiles).toHaveLength(1);
    await job.checkpoint();
    await job.checkpoint();
    expect(job.completed.map((s) => s.checkpointId)).toEqual([first, first + 1, first + 2]);
    expect(await sharedFiles(old)).toEqual(oldFiles);

    // and an acknowledgement that refers to them is refused
    const foreign = withReference(job.tasks[0]!.acks[0]!, resolveRelative(storage, restoredFrom.directory, handle.sharedFiles[0]!.file));
    const id = job.coordinator.triggerCheckpoint()!;
    job.coordinator.receiveAck({ ...foreign, checkpointId: id });
    expect(job.aborted.at(-1)!.failureReason).toMatch(/not in this job's shared directory/);
    expect(await sharedFiles(old)).toEqual(oldFiles);
  });

  it('takes over a checkpoint of this job that it does not retain, so that restored state may refer to its files', async () => {
    const storage = await newStorage();
    const before = await newJob(storage);
    const a0 = await before.backends[0]!.flush(100);
    const a1 = await before.backends[0]!.flush(100);
    const id = await before.checkpoint();
    before.coordinator.shutdown();
    const restored = { metadata: await FileSystemCheckpointStorage.verifyCheckpoint(storage.checkpointDirectory(id)), directory: storage.checkpointDirectory(id) };

    // a coordinator that does not know the checkpoint refuses references to its files
    const unaware = await newJob(storage);
    restore(unaware.backends, restored, id);
    const refused = unaware.coordinator.triggerCheckpoint()!;
    await Promise.all(unaware.tasks.map((t) => t.checkpoint(refused)));
    expect(unaware.aborted[0]!.failureReason).toMatch(/which no retained or pending checkpoint holds/);
    unaware.coordinator.shutdown();

    // one that takes it over (rebuilding its registry from the checkpoint's metadata) accepts them
    const job = await newJob(storage, { restoredFrom: restored });
    expect(job.coordinator.latestCompleted?.metadata.checkpointId).toBe(id);
    restore(job.backends, restored, id);
    await job.backends[0]!.compact([a1], 70);
    const next = await job.checkpoint();
    expect(next).toBeGreaterThan(refused);
    expect(job.completed.map((s) => s.checkpointId)).toEqual([next]);
    expect(job.tasks[0]!.acks[0]!.uploadedSharedFiles).toHaveLength(1); // only the compacted file
    const names = storedNames(job.tasks[0]!, next);
    // the taken-over checkpoint was subsumed: the file only it held is gone, the shared one stays
    await vi.waitFor(async () => expect(await sharedFiles(storage)).not.toContain(storedNamesOf(restored, 0).get(a1)));
    expect(await sharedFiles(storage)).toContain(names.get(a0));
    expect(await readdir(storage.jobDirectory)).not.toContain(`chk-${id}`);
  });

  it('keeps the files of a subsumed checkpoint that a pending checkpoint may still refer to', async () => {
    const storage = await newStorage();
    const job = await newJob(storage, { retained: 1 });
    const [b0, b1] = job.backends as [FakeIncrementalBackend, FakeIncrementalBackend];
    const [t0, t1] = job.tasks as [KeyedTask, KeyedTask];
    const f1 = await b0.flush(100);
    const first = job.coordinator.triggerCheckpoint()!;
    await Promise.all([t0.checkpoint(first), t1.checkpoint(first)]);
    await vi.waitFor(() => expect(job.completed.map((c) => c.checkpointId)).toEqual([first]));
    const x1 = storedNames(t0, first).get(f1)!;
    // the tasks hear of checkpoint 1 only after they took checkpoint 2, which stores f1 again
    const second = job.coordinator.triggerCheckpoint()!;
    const third = job.coordinator.triggerCheckpoint()!; // triggered while 1 is the latest completed
    await Promise.all([t0.checkpoint(second), t1.checkpoint(second)]);
    const x2 = storedNames(t0, second).get(f1)!;
    expect(x2).not.toBe(x1);
    await vi.waitFor(() => expect(job.completed.map((c) => c.checkpointId)).toEqual([first, second]));
    expect(await sharedFiles(storage)).toContain(x1); // checkpoint 1 is subsumed, but 3 may refer to its files
    for (const backend of [b0, b1]) backend.notifyCheckpointComplete(first);

    await Promise.all([t0.checkpoint(third), t1.checkpoint(third)]);

    expect(storedNames(t0, third).get(f1)).toBe(x1); // referred to checkpoint 1's copy
    await vi.waitFor(() => expect(job.completed.map((c) => c.checkpointId)).toEqual([first, second, third]));
    expect(job.aborted).toEqual([]);
    await vi.waitFor(async () => expect(await sharedFiles(storage)).toEqual([x1]));
  });

  it('keeps the files of the checkpoint the tasks were last told of for a checkpoint triggered while it is being subsumed', async () => {
    const base = await newStorage();
    let job: ReturnType<typeof newCoordinator> | undefined;
    let triggered: number | undefined;
    // a storage whose deletions are slow enough for a periodic trigger to come in between
    const storage = Object.assign(Object.create(base) as FileSystemCheckpointStorage, {
      discardCheckpoint: async (id: number) => {
        await new Promise((resolve) => setImmediate(resolve));
        triggered ??= job!.coordinator.triggerCheckpoint();
        await base.discardCheckpoint(id);
      },
    });
    const backend = await newBackend();
    job = newCoordinator(storage, { tasks: 1, gateway: { notifyCheckpointComplete: (id) => backend.notifyCheckpointComplete(id) } });
    const task = keyedTask(backend, storage, { forward: job.responder });
    const f1 = await backend.flush(10);
    const first = job.coordinator.triggerCheckpoint()!;
    await task.checkpoint(first);
    await vi.waitFor(() => expect(job!.completed.map((c) => c.checkpointId)).toEqual([first]));
    const x1 = storedNames(task, first).get(f1)!;
    await backend.compact([f1], 10); // checkpoint 2 does not hold f1
    const second = job.coordinator.triggerCheckpoint()!;
    await task.checkpoint(second);
    await vi.waitFor(() => expect(job!.completed.map((c) => c.checkpointId)).toEqual([first, second]));
    expect(triggered).toBe(second + 1); // while checkpoint 1 was being deleted, before the tasks heard of 2

    // checkpoint 3 may refer to checkpoint 1's files: they stay until it ends
    expect(await sharedFiles(storage)).toContain(x1);
    job.coordinator.receiveDecline(triggered!, { vertexId: 0, subtaskIndex: 0 }, 'test', false);
    await vi.waitFor(async () => expect(await sharedFiles(storage)).not.toContain(x1));
    expect(await sharedFiles(storage)).toEqual([...storedNames(task, second).values()]);
  });
});

/** Restores each backend from its subtask's handle of `checkpoint`, as the task restore loader gives it. */
function restore(backends: readonly FakeIncrementalBackend[], checkpoint: CompletedCheckpoint, id: number): void {
  for (const sub of checkpoint.metadata.operators[0]!.subtasks) {
    backends[sub.subtaskIndex]!.restore([incrementalSnapshot(sub.keyed as IncrementalKeyedStateHandle, checkpoint.directory, id, 128)]);
  }
}

function storedNamesOf(checkpoint: CompletedCheckpoint, subtask: number): Map<string, string> {
  const handle = checkpoint.metadata.operators[0]!.subtasks.find((s) => s.subtaskIndex === subtask)!.keyed as IncrementalKeyedStateHandle;
  return new Map(handle.sharedFiles.map((f) => [f.name, basename(f.file)]));
}

/** `ack` with one more shared file that it refers to (did not upload), at `location`. */
function withReference(ack: TaskCheckpointAck, location: string): TaskCheckpointAck {
  const [first, ...rest] = ack.operators;
  const keyed = first!.state.keyed as IncrementalKeyedStateHandle;
  const sharedFiles = [...keyed.sharedFiles, { name: '000009.sst', file: location, size: 10 }];
  return { ...ack, operators: [{ ...first!, state: { ...first!.state, keyed: { ...keyed, sharedFiles } } }, ...rest] };
}

/** `file` of the checkpoint in `directory`, relative to the checkpoint directories of `storage`. */
function resolveRelative(storage: FileSystemCheckpointStorage, directory: string, file: string): string {
  return relative(storage.checkpointDirectory(1), resolve(directory, file)).split(sep).join('/');
}
