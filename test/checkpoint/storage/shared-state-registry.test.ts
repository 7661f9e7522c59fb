import { describe, expect, it } from 'vitest';
import type { CheckpointMetadata, IncrementalKeyedStateHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { SharedStateRegistry, sharedFilesOf } from '../../../src/checkpoint/storage/shared-state-registry.js';

const SHARED = '/ckpt/job-1/shared';
const at = (name: string) => `${SHARED}/${name}`;

/** A registry over `/ckpt/job-1/shared` that records what it deletes. */
function newRegistry(failDiscard = false) {
  const deleted: string[] = [];
  const registry = new SharedStateRegistry({
    owns: (path) => path.startsWith(`${SHARED}/`),
    discard: async (paths) => {
      if (failDiscard) throw new Error('EIO');
      deleted.push(...paths);
    },
  });
  return { registry, deleted };
}

function incremental(shared: readonly string[]): IncrementalKeyedStateHandle {
  return {
    type: 'incremental',
    backend: 'rocksdb',
    keyGroupRange: [0, 63],
    states: [],
    sharedFiles: shared.map((file, i) => ({ name: `00000${i}.sst`, file, size: 10 })),
    privateFiles: [{ name: 'CURRENT', file: 'op-x-0-native-CURRENT', size: 16 }],
  };
}

function metadata(checkpointId: number, subtasks: readonly (readonly string[])[]): CheckpointMetadata {
  return {
    format: 'eddy-checkpoint',
    version: 1,
    jobId: 'job-1',
    checkpointId,
    kind: 'checkpoint',
    triggerTimestamp: 1,
    completionTimestamp: 2,
    operators: [
      { uid: 'count', name: 'count', parallelism: subtasks.length, maxParallelism: 128, subtasks: subtasks.map((files, i) => ({ subtaskIndex: i, keyed: incremental(files) })) },
    ],
  };
}

describe('SharedStateRegistry', () => {
  it('counts one reference per checkpoint that holds a file and deletes it when the last one lets go', async () => {
    const { registry, deleted } = newRegistry();
    registry.register(1, [at('a'), at('b')]);
    registry.complete(1);
    registry.register(2, [at('a'), at('c')]);
    registry.complete(2);
    expect([at('a'), at('b'), at('c')].map((p) => registry.referenceCount(p))).toEqual([2, 1, 1]);

    expect(await registry.release(1)).toEqual([at('b')]);
    expect(deleted).toEqual([at('b')]);
    expect(registry.isHeld(at('a'))).toBe(true);
    expect(registry.isHeld(at('b'))).toBe(false);

    expect((await registry.release(2)).sort()).toEqual([at('a'), at('c')]);
    expect(deleted.sort()).toEqual([at('a'), at('b'), at('c')]);
  });

  it('counts a file registered twice by the same checkpoint once', async () => {
    const { registry, deleted } = newRegistry();
    registry.register(1, [at('a'), at('a')]);
    registry.register(1, [at('a')]);
    expect(registry.referenceCount(at('a'))).toBe(1);
    await registry.release(1);
    expect(deleted).toEqual([at('a')]);
  });

  it('tells pending from completed holders, and takes no new files for a completed checkpoint', () => {
    const { registry } = newRegistry();
    registry.register(3, [at('a')]);
    expect(registry.statusOf(3)).toBe('pending');
    registry.complete(3);
    expect(registry.statusOf(3)).toBe('completed');
    expect(() => registry.register(3, [at('b')])).toThrow(/completed/);
    expect(registry.statusOf(4)).toBeUndefined();
  });

  it('deletes the uploads of an aborted pending checkpoint, but not the files a retained checkpoint holds', async () => {
    const { registry, deleted } = newRegistry();
    registry.registerCompleted(1, [at('a'), at('b')]);
    registry.register(2, [at('c')]); // uploaded by checkpoint 2
    registry.register(2, [at('a')]); // referred to by checkpoint 2

    expect(await registry.release(2)).toEqual([at('c')]);
    expect(deleted).toEqual([at('c')]);
    expect(registry.referenceCount(at('a'))).toBe(1);
    expect([...registry.filesOf(1)].sort()).toEqual([at('a'), at('b')]);
  });

  it('keeps a file of a subsumed checkpoint that a pending checkpoint refers to', async () => {
    const { registry, deleted } = newRegistry();
    registry.registerCompleted(1, [at('a')]);
    registry.register(2, [at('a')]);
    expect(await registry.release(1)).toEqual([]);
    expect(deleted).toEqual([]);
    expect(registry.isHeld(at('a'))).toBe(true);
  });

  it('deletes only the unheld files of a late acknowledgement', async () => {
    const { registry, deleted } = newRegistry();
    registry.registerCompleted(1, [at('a')]);
    expect((await registry.discardUnheld([at('a'), at('late')])).sort()).toEqual([at('late')]);
    expect(deleted).toEqual([at('late')]);
  });

  it('never deletes files outside the job\'s shared directory', async () => {
    const { registry, deleted } = newRegistry();
    const foreign = '/ckpt/other-job/shared/x.sst';
    registry.registerCompleted(1, [foreign, at('a')]);
    expect(await registry.release(1)).toEqual([at('a')]);
    expect(await registry.discardUnheld([foreign])).toEqual([]);
    expect(deleted).toEqual([at('a')]);
  });

  it('is rebuilt from the metadata of retained checkpoints, with paths resolved against their directories', async () => {
    const options = { owns: (p: string) => p.startsWith(`${SHARED}/`), discard: async () => {} };
    const registry = SharedStateRegistry.rebuild(
      [
        { metadata: metadata(4, [['../shared/a', '../shared/b'], ['../shared/c']]), directory: '/ckpt/job-1/chk-4' },
        { metadata: metadata(5, [['../shared/a', '../shared/d'], ['../shared/c']]), directory: '/ckpt/job-1/chk-5' },
      ],
      options,
    );
    expect(['a', 'b', 'c', 'd'].map((n) => registry.referenceCount(at(n)))).toEqual([2, 1, 2, 1]);
    expect(registry.statusOf(4)).toBe('completed');
    expect(await registry.release(4)).toEqual([at('b')]);
  });

  it('lists the shared files of a checkpoint\'s incremental handles as absolute paths', () => {
    expect(sharedFilesOf(metadata(7, [['../shared/a'], []]), '/ckpt/job-1/chk-7')).toEqual([at('a')]);
  });

  it('changes its counts even when deleting fails', async () => {
    const { registry } = newRegistry(true);
    registry.registerCompleted(1, [at('a')]);
    await expect(registry.release(1)).rejects.toThrow('EIO');
    expect(registry.isHeld(at('a'))).toBe(false);
    expect(registry.statusOf(1)).toBeUndefined();
  });
});
