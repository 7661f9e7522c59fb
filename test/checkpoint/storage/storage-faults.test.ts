import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/core/errors.js';
import { newStorage, sampleMetadata, writeSampleCheckpoint, bytesOf } from './support.js';

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<CheckpointError & { cause: NodeJS.ErrnoException & { injected?: true } }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointError);
  return error as CheckpointError & { cause: NodeJS.ErrnoException & { injected?: true } };
}

describe('StorageFaults', () => {
  it('fails the state writes of the chosen checkpoints only, like a full disk', async () => {
    const storage = await newStorage({ failStateWritesOfCheckpoints: [2, 4] });
    await storage.writeStateFile(1, 'a.bin', bytesOf(10));
    const error = await failure(storage.writeStateFile(2, 'a.bin', bytesOf(10)));
    expect(error.cause.code).toBe('ENOSPC');
    expect(error.cause.injected).toBe(true);
    expect(error.message).toMatch(/^checkpoint 2: cannot write state file '.*chk-2\/a\.bin': ENOSPC: no space left on device, write/);
    expect(error.message).toMatch(/; the disk is full: free some space on it, or choose a directory on another disk \(--checkpoint-dir\)$/);
    await storage.writeStateFile(3, 'a.bin', bytesOf(10));
    await failure(storage.writeStateFile(4, 'b.bin', bytesOf(10)));
    await storage.writeStateFile(5, 'a.bin', bytesOf(10));
  });

  it('fails exactly the n-th state write of a storage instance, counting from 1 and counting failed writes', async () => {
    const storage = await newStorage({ failNthStateWrite: 3, failStateWritesOfCheckpoints: [1] });
    const outcomes: string[] = [];
    for (const id of [1, 2, 2, 2, 3]) {
      outcomes.push(await storage.writeStateFile(id, `f-${outcomes.length}.bin`, bytesOf(5)).then(() => 'ok', () => 'failed'));
    }
    expect(outcomes).toEqual(['failed', 'ok', 'failed', 'ok', 'ok']);
  });

  it('fails the metadata write of the chosen checkpoint, which then never counts as completed', async () => {
    const storage = await newStorage({ failMetadataWritesOfCheckpoints: [2] });
    await writeSampleCheckpoint(storage, 1);
    const error = await failure(writeSampleCheckpoint(storage, 2));
    expect(error.message).toMatch(/^checkpoint 2: cannot write '.*chk-2\/_metadata': ENOSPC/);
    expect(error.message).toContain('; the disk is full: free some space on it, or choose a directory on another disk (--checkpoint-dir)');
    expect(error.cause.code).toBe('ENOSPC');
    expect((await readdir(storage.checkpointDirectory(2))).filter((f) => f.includes('_metadata'))).toEqual([]);
    expect((await storage.listCompletedCheckpoints()).map((c) => c.id)).toEqual([1]);
    expect((await storage.findLatestValidCheckpoint())?.metadata.checkpointId).toBe(1);
    await writeSampleCheckpoint(storage, 3);
    expect((await storage.listCompletedCheckpoints()).map((c) => c.id)).toEqual([3, 1]);
  });

  it('fails the n-th metadata write of a storage instance', async () => {
    const storage = await newStorage({ failNthMetadataWrite: 2 });
    await writeSampleCheckpoint(storage, 1);
    await failure(writeSampleCheckpoint(storage, 2));
    await writeSampleCheckpoint(storage, 3);
  });

  it('raises the chosen error code', async () => {
    for (const code of ['EIO', 'EACCES'] as const) {
      const storage = await newStorage({ failNthStateWrite: 1, errorCode: code });
      expect((await failure(storage.writeStateFile(1, 'a.bin', bytesOf(8)))).cause.code).toBe(code);
    }
  });

  it('leaves neither the file nor its temporary file behind when a write fails', async () => {
    const storage = await newStorage({ failStateWritesOfCheckpoints: [1], failMetadataWritesOfCheckpoints: [1] });
    await failure(storage.writeStateFile(1, 'a.bin', bytesOf(1000)));
    const h = { file: 'x.bin', size: 0, crc32: 0 };
    await failure(storage.writeMetadata({ ...sampleMetadata(1, { keyed0: h, keyed1: h, source: h }), operators: [] }));
    expect(await readdir(storage.checkpointDirectory(1))).toEqual([]);
  });

  it('counts per storage instance: a new instance from the same config starts from 1 again', async () => {
    const storage = await newStorage({ failNthStateWrite: 1 });
    await failure(storage.writeStateFile(1, 'a.bin', bytesOf(1)));
    await storage.writeStateFile(1, 'a.bin', bytesOf(1));
    const { FileSystemCheckpointStorage } = await import('../../../src/checkpoint/storage/checkpoint-storage.js');
    await failure(new FileSystemCheckpointStorage(storage.config).writeStateFile(1, 'b.bin', bytesOf(1)));
  });
});
