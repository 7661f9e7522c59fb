import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import { isSharedFileLocation, isValidStateFileName } from '../../../src/checkpoint/storage/state-file-name.js';
import { CheckpointError } from '../../../src/core/errors.js';
import { filesIn } from '../incremental/support.js';
import { bytesOf, JOB_ID, newStorage, tempDirectory } from './support.js';

/** A local file named `name` holding `bytes`, as a RocksDB instance would have it. */
async function localFile(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(await tempDirectory(), name);
  await writeFile(path, bytes);
  return path;
}

describe('FileSystemCheckpointStorage file stores', () => {
  it('copies a shared file into <job>/shared/ under a new name and gives its location relative to the checkpoint directory', async () => {
    const storage = await newStorage();
    const source = await localFile('000012.sst', bytesOf(50_000, 3));
    const file = await storage.fileStore(4, 'count per key/ü', 1).storeShared(source);

    expect(storage.sharedDirectory).toBe(join(storage.config.directory, JOB_ID, 'shared'));
    expect(file.name).toBe('000012.sst');
    expect(file.size).toBe(50_000);
    expect(isSharedFileLocation(file.file)).toBe(true);
    const path = resolve(storage.checkpointDirectory(4), file.file);
    expect(await readFile(path)).toEqual(Buffer.from(bytesOf(50_000, 3)));
    expect(await filesIn(storage.sharedDirectory)).toEqual([file.file.slice('../shared/'.length)]); // no temporary file left
    expect(file.file).toMatch(/^\.\.\/shared\/op-count_per_key__-[0-9a-f]{8}-1-[0-9a-f]{16}-000012\.sst$/);
  });

  it('never gives the same shared name twice, even for the same native file of the same subtask', async () => {
    const storage = await newStorage();
    const source = await localFile('000012.sst', bytesOf(10));
    const files = await Promise.all(
      [1, 1, 2, 2].map((checkpointId) => storage.fileStore(checkpointId, 'count', 0).storeShared(source)),
    );
    expect(new Set(files.map((f) => f.file)).size).toBe(4);
    expect(await filesIn(storage.sharedDirectory)).toHaveLength(4);
  });

  it('copies private files into chk-<n>/ under names unique per operator subtask', async () => {
    const storage = await newStorage();
    const manifest = await localFile('MANIFEST-000005', bytesOf(300));
    const [f0, f1] = await Promise.all([0, 1].map((subtask) => storage.fileStore(7, 'count', subtask).storePrivate(manifest)));
    expect(f0!.name).toBe('MANIFEST-000005');
    expect(f0!.file).not.toBe(f1!.file);
    expect([f0!.file, f1!.file].every(isValidStateFileName)).toBe(true);
    expect(await filesIn(storage.checkpointDirectory(7))).toEqual([f0!.file, f1!.file].sort());
    expect(await readFile(join(storage.checkpointDirectory(7), f1!.file))).toEqual(Buffer.from(bytesOf(300)));
  });

  it('owns the files of its own shared directory only, and locates them relative to any checkpoint directory', async () => {
    const storage = await newStorage();
    const store = storage.fileStore(9, 'count', 0);
    const stored = await store.storeShared(await localFile('000001.sst', bytesOf(5)));
    const absolute = resolve(storage.checkpointDirectory(3), stored.file); // as a restore from checkpoint 3 gives it

    expect(store.owns(absolute)).toBe(true);
    expect(store.locate(absolute)).toBe(stored.file);
    expect(storage.ownsSharedFile(absolute)).toBe(true);
    const other = new FileSystemCheckpointStorage({ directory: storage.config.directory, jobId: 'other-job' });
    const foreign = join(other.sharedDirectory, 'x.sst');
    expect(store.owns(foreign)).toBe(false);
    expect(store.owns(join(storage.checkpointDirectory(9), 'x.sst'))).toBe(false);
    expect(store.owns(join(storage.sharedDirectory, 'nested', 'x.sst'))).toBe(false);
    expect(() => store.locate(foreign)).toThrow(CheckpointError);
  });

  it('remembers what it stored and deletes exactly that', async () => {
    const storage = await newStorage();
    const kept = await storage.fileStore(1, 'count', 0).storeShared(await localFile('000001.sst', bytesOf(5)));
    const store = storage.fileStore(2, 'count', 0);
    const shared = await store.storeShared(await localFile('000002.sst', bytesOf(5)));
    const own = await store.storePrivate(await localFile('CURRENT', bytesOf(5)));
    expect(store.stored).toEqual([shared.file, own.file]);

    await store.discardStored();

    expect(await filesIn(storage.sharedDirectory)).toEqual([kept.file.slice('../shared/'.length)]);
    expect(await filesIn(storage.checkpointDirectory(2))).toEqual([]);
    expect(store.stored).toEqual([]);
  });

  it('refuses a local file whose name cannot be a stored file name', async () => {
    const storage = await newStorage();
    const path = await localFile('.hidden', bytesOf(5));
    await expect(storage.fileStore(1, 'count', 0).storeShared(path)).rejects.toThrow(/not a valid file name/);
  });

  it('fails a copy as a full disk would when storage faults say so, leaving no file', async () => {
    const storage = new FileSystemCheckpointStorage({ directory: await tempDirectory(), jobId: JOB_ID, faults: { failStateWritesOfCheckpoints: [2] } });
    const source = await localFile('000003.sst', bytesOf(100));
    const error = await storage.fileStore(2, 'count', 0).storeShared(source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as CheckpointError).message).toMatch(/ENOSPC/);
    expect(await filesIn(storage.sharedDirectory)).toEqual([]);
    await expect(storage.fileStore(3, 'count', 0).storeShared(source)).resolves.toMatchObject({ size: 100 });
  });

  it('deletes shared files of its own job only', async () => {
    const storage = await newStorage();
    const file = await storage.fileStore(1, 'count', 0).storeShared(await localFile('000001.sst', bytesOf(5)));
    const other = new FileSystemCheckpointStorage({ directory: storage.config.directory, jobId: 'other-job' });
    const foreign = await other.fileStore(1, 'count', 0).storeShared(await localFile('000001.sst', bytesOf(5)));
    const foreignPath = resolve(other.checkpointDirectory(1), foreign.file);

    await storage.discardSharedFiles([resolve(storage.checkpointDirectory(1), file.file), foreignPath, join(storage.sharedDirectory, 'gone.sst')]);

    expect(await filesIn(storage.sharedDirectory)).toEqual([]);
    expect(await filesIn(other.sharedDirectory)).toHaveLength(1);
  });
});
