import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FullKeyedStateHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { crc32 } from '../../../src/core/crc32.js';
import { CheckpointError, ConfigError } from '../../../src/core/errors.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import { bytesOf, JOB_ID, newStorage, sampleMetadata, tempDirectory, writeSampleCheckpoint } from './support.js';

describe('FileSystemCheckpointStorage', () => {
  it('writes state files and _metadata under <dir>/<jobId>/chk-<n> and reads them back unchanged', async () => {
    const storage = await newStorage();
    const { metadata, directory } = await writeSampleCheckpoint(storage, 3);

    expect(directory).toBe(join(storage.config.directory, JOB_ID, 'chk-3'));
    expect(storage.checkpointDirectory(3)).toBe(directory);
    expect((await readdir(directory)).sort()).toEqual(
      ['_metadata', ...[0, 1].map((i) => storage.stateFileName('count per key/ü', i, 'keyed')), storage.stateFileName('numbers', 0, 'operator')].sort(),
    );
    expect(await FileSystemCheckpointStorage.readCheckpoint(directory)).toEqual(metadata);
    const keyed1 = metadata.operators[1]!.subtasks[1]!.keyed! as FullKeyedStateHandle;
    expect(await FileSystemCheckpointStorage.readStateFile(directory, keyed1)).toEqual(bytesOf(60, 103));
  });

  it('returns a state file handle with the name, size and CRC-32 of the bytes written', async () => {
    const storage = await newStorage();
    const bytes = bytesOf(1000);
    const handle = await storage.writeStateFile(1, 'op-x-0-keyed.bin', bytes);
    expect(handle).toEqual({ file: 'op-x-0-keyed.bin', size: 1000, crc32: crc32(bytes) });
    expect(new Uint8Array(await readFile(join(storage.checkpointDirectory(1), 'op-x-0-keyed.bin')))).toEqual(bytes);
  });

  it('writes an empty state file', async () => {
    const storage = await newStorage();
    const handle = await storage.writeStateFile(1, 'empty.bin', new Uint8Array(0));
    expect(handle).toEqual({ file: 'empty.bin', size: 0, crc32: 0 });
    expect(await FileSystemCheckpointStorage.readStateFile(storage.checkpointDirectory(1), handle)).toEqual(new Uint8Array(0));
  });

  it('creates the checkpoint directory once when many tasks of many instances write into it at once', async () => {
    const first = await newStorage();
    const instances = Array.from({ length: 4 }, () => new FileSystemCheckpointStorage(first.config));
    const handles = await Promise.all(
      Array.from({ length: 64 }, (_, i) => instances[i % 4]!.writeStateFile(7, `file-${i}.bin`, bytesOf(200 + i, i))),
    );
    expect(handles.map((h) => h.file)).toEqual(Array.from({ length: 64 }, (_, i) => `file-${i}.bin`));
    expect((await readdir(first.checkpointDirectory(7))).length).toBe(64);
  });

  it('refuses state file names that could leave the checkpoint directory or clash with its own files', async () => {
    const storage = await newStorage();
    for (const name of ['', '../escape.bin', 'a/b.bin', 'a\\b.bin', '.', '..', '.hidden', '_metadata', 'x\0y', 'ü.bin', 'a'.repeat(201)]) {
      await expect(storage.writeStateFile(1, name, bytesOf(4)), name).rejects.toThrow(CheckpointError);
    }
    expect(await readdir(storage.config.directory)).toEqual([]);
  });

  it('writes _metadata as JSON whose first line names the format, version, body size and checksum', async () => {
    const storage = await newStorage();
    const { metadata, directory } = await writeSampleCheckpoint(storage, 1);
    const text = await readFile(join(directory, '_metadata'), 'utf8');
    const [firstLine] = text.split('\n');
    expect(firstLine).toMatch(/^\{"format": "eddy-checkpoint", "version": 1, "bodySize": \d+, "bodyCrc32": \d+,$/);
    const json = JSON.parse(text) as Record<string, unknown>;
    expect(json).toMatchObject({ ...metadata });
    const body = Buffer.from(text, 'utf8').subarray(Buffer.byteLength(firstLine!) + 1);
    expect(json.bodySize).toBe(body.length);
    expect(json.bodyCrc32).toBe(crc32(body));
  });

  it('refuses to rewrite the _metadata of a completed checkpoint', async () => {
    const storage = await newStorage();
    const { metadata, directory } = await writeSampleCheckpoint(storage, 2);
    const before = await readFile(join(directory, '_metadata'));
    await expect(storage.writeMetadata({ ...metadata, completionTimestamp: 1 })).rejects.toThrow(/already exists/);
    expect(await readFile(join(directory, '_metadata'))).toEqual(before);
  });

  it('refuses metadata of another job and metadata that could not be restored, writing nothing', async () => {
    const storage = await newStorage();
    const handle = await storage.writeStateFile(4, 'f.bin', bytesOf(100));
    const good = sampleMetadata(4, { keyed0: handle, keyed1: handle, source: handle });
    await expect(storage.writeMetadata({ ...good, jobId: 'other' })).rejects.toThrow(/job 'other'/);
    const badKeyGroup = {
      ...good,
      operators: [good.operators[0]!, { ...good.operators[1]!, subtasks: [{ subtaskIndex: 0, keyed: { ...handle, keyGroupRange: [0, 63] as const, keyGroups: [{ keyGroup: 64, offset: 0, length: 1 }] } }] }],
    };
    await expect(storage.writeMetadata(badKeyGroup)).rejects.toThrow(/key group 64 is outside the range 0\.\.63/);
    const bigint = { ...good, operators: [{ ...good.operators[0]!, subtasks: [{ subtaskIndex: 0, sourcePosition: 10n }] }] };
    await expect(storage.writeMetadata(bigint)).rejects.toThrow(/not JSON-compatible/);
    expect(await readdir(storage.checkpointDirectory(4))).toEqual(['f.bin']);
  });

  it('completes a checkpoint without state files (its directory is created for _metadata)', async () => {
    const storage = await newStorage();
    const metadata = { ...sampleMetadata(1, { keyed0: { file: 'x', size: 0, crc32: 0 }, keyed1: { file: 'x', size: 0, crc32: 0 }, source: { file: 'x', size: 0, crc32: 0 } }), operators: [] };
    const directory = await storage.writeMetadata(metadata);
    expect(await FileSystemCheckpointStorage.verifyCheckpoint(directory)).toEqual(metadata);
  });

  it('lists completed checkpoints newest first, ignoring directories without _metadata and other entries', async () => {
    const storage = await newStorage();
    await writeSampleCheckpoint(storage, 2);
    await writeSampleCheckpoint(storage, 10);
    await writeSampleCheckpoint(storage, 9);
    await storage.writeStateFile(11, 'pending.bin', bytesOf(8)); // in progress: no _metadata
    const job = storage.jobDirectory;
    await mkdir(join(job, 'shared'));
    await writeFile(join(job, 'shared', '_metadata'), 'not a checkpoint');
    await mkdir(join(job, 'chk-007'));
    await writeFile(join(job, 'chk-007', '_metadata'), 'not canonical');
    await writeFile(join(job, 'chk-12'), 'a file, not a directory');
    await mkdir(join(job, 'chk-13', '_metadata'), { recursive: true }); // a directory named _metadata

    expect(await storage.listCompletedCheckpoints()).toEqual([10, 9, 2].map((id) => ({ id, directory: storage.checkpointDirectory(id) })));
  });

  it('lists nothing before the first checkpoint of the job', async () => {
    const storage = await newStorage();
    expect(await storage.listCompletedCheckpoints()).toEqual([]);
    expect(await storage.findLatestValidCheckpoint()).toBeUndefined();
  });

  it('discards one checkpoint, then all checkpoints of its job without touching other jobs', async () => {
    const storage = await newStorage();
    const other = new FileSystemCheckpointStorage({ directory: storage.config.directory, jobId: 'other-job' });
    await writeSampleCheckpoint(storage, 1);
    await writeSampleCheckpoint(storage, 2);
    await writeSampleCheckpoint(other, 1);

    await storage.discardCheckpoint(1);
    expect((await storage.listCompletedCheckpoints()).map((c) => c.id)).toEqual([2]);
    await storage.discardCheckpoint(99); // absent: nothing to do
    await storage.discardAll();
    expect(await readdir(storage.config.directory)).toEqual(['other-job']);
    expect((await other.listCompletedCheckpoints()).map((c) => c.id)).toEqual([1]);
  });

  it('turns a file system error while writing into a CheckpointError naming the file, with the error as cause', async () => {
    const storage = await newStorage();
    // a directory where the state file should be: the write's final rename fails
    await mkdir(join(storage.checkpointDirectory(5), 'op.bin'), { recursive: true });
    const error = await storage.writeStateFile(5, 'op.bin', bytesOf(10)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toContain(join(storage.checkpointDirectory(5), 'op.bin'));
    expect((error as Error & { cause: NodeJS.ErrnoException }).cause.code).toMatch(/^E[A-Z]+$/);
  });

  it('rejects an invalid configuration with a ConfigError naming the setting', () => {
    expect(() => new FileSystemCheckpointStorage({ directory: '', jobId: 'j' })).toThrow(/'directory'/);
    expect(() => new FileSystemCheckpointStorage({ directory: '/tmp', jobId: '../j' })).toThrow(ConfigError);
    expect(() => new FileSystemCheckpointStorage({ directory: '/tmp', jobId: 'j', faults: { failNthStateWrite: 0 } })).toThrow(/faults\.failNthStateWrite/);
    expect(() => new FileSystemCheckpointStorage({ directory: '/tmp', jobId: 'j', faults: { failEverything: true } as never })).toThrow(ConfigError);
  });

  it('takes a configuration that is plain data and survives structuredClone', async () => {
    const config = { directory: await tempDirectory(), jobId: JOB_ID, faults: { failStateWritesOfCheckpoints: [2], errorCode: 'EIO' as const } };
    const copy = new FileSystemCheckpointStorage(structuredClone(config));
    await expect(copy.writeStateFile(2, 'f.bin', bytesOf(3))).rejects.toThrow(/EIO/);
  });
});
