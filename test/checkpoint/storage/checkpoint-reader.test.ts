import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StateFileHandle } from '../../../src/checkpoint/checkpoint-metadata.js';
import { corruptCheckpointFile } from '../../../src/checkpoint/storage/checkpoint-corruption.js';
import { CheckpointCorruptedError } from '../../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { stateFilesOf, verifyStateFile } from '../../../src/checkpoint/storage/checkpoint-reader.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import { CheckpointError } from '../../../src/core/errors.js';
import { bytesOf, newStorage, tempDirectory, writeSampleCheckpoint } from './support.js';

/** Runs `read` and returns the CheckpointCorruptedError it throws (fails the test if it does not). */
async function corruption(read: () => Promise<unknown>): Promise<CheckpointCorruptedError> {
  const error = await read().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CheckpointCorruptedError);
  expect(error).toBeInstanceOf(CheckpointError);
  return error as CheckpointCorruptedError;
}

describe('reading checkpoint and savepoint directories', () => {
  it('reads a checkpoint directory copied elsewhere, under another name, the same way', async () => {
    const storage = await newStorage();
    const { metadata, directory } = await writeSampleCheckpoint(storage, 6);
    const moved = join(await tempDirectory(), 'savepoint-a1b2c3-0f9e8d7c6b5a');
    await cp(directory, moved, { recursive: true });
    await storage.discardAll();

    expect(await FileSystemCheckpointStorage.verifyCheckpoint(moved)).toEqual(metadata);
    const contents = await Promise.all(stateFilesOf(metadata).map((h) => FileSystemCheckpointStorage.readStateFile(moved, h)));
    expect(contents.map((c) => c.length)).toEqual([24, 100, 60]);
    expect(contents[1]).toEqual(bytesOf(100, 6));
  });

  it('returns state bytes as a plain Uint8Array', async () => {
    const storage = await newStorage();
    const handle = await storage.writeStateFile(1, 'f.bin', bytesOf(10));
    const bytes = await FileSystemCheckpointStorage.readStateFile(storage.checkpointDirectory(1), handle);
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
  });

  it('reports a missing directory, a file given instead of a directory, and a directory without _metadata', async () => {
    const root = await tempDirectory();
    const missing = await corruption(() => FileSystemCheckpointStorage.readCheckpoint(join(root, 'nope')));
    expect(missing.problem).toBe('missing-directory');
    expect(missing.message).toContain(join(root, 'nope'));

    const storage = await newStorage();
    const { directory } = await writeSampleCheckpoint(storage, 1);
    const file = await corruption(() => FileSystemCheckpointStorage.readCheckpoint(join(directory, '_metadata')));
    expect(file.message).toContain(`give the directory that holds it ('${directory}')`);

    await mkdir(join(root, 'chk-3'));
    await writeFile(join(root, 'chk-3', 'op.bin'), 'state of an aborted checkpoint');
    const incomplete = await corruption(() => FileSystemCheckpointStorage.readCheckpoint(join(root, 'chk-3')));
    expect(incomplete.problem).toBe('missing-metadata');
    expect(incomplete.message).toMatch(/has no _metadata, so it is not a completed checkpoint or savepoint .*choose another checkpoint/);
  });

  it('detects every truncation of a state file, naming the file', async () => {
    const storage = await newStorage();
    const bytes = bytesOf(300);
    const handle = await storage.writeStateFile(1, 'op.bin', bytes);
    const directory = storage.checkpointDirectory(1);
    const path = join(directory, 'op.bin');
    for (let length = 0; length < bytes.length; length++) {
      await writeFile(path, bytes.subarray(0, length));
      const error = await corruption(() => FileSystemCheckpointStorage.readStateFile(directory, handle));
      expect(error.problem).toBe('truncated');
      expect(error.path).toBe(path);
      expect(error.message).toContain(`'${path}' is truncated: 300 bytes expected, ${length} found; choose an older checkpoint`);
      expect((await corruption(() => verifyStateFile(directory, handle))).problem).toBe('truncated');
    }
  });

  it('detects a change of any single byte of a state file, by any bit pattern', async () => {
    const storage = await newStorage();
    const bytes = bytesOf(256, 9);
    const handle = await storage.writeStateFile(1, 'op.bin', bytes);
    const directory = storage.checkpointDirectory(1);
    const path = join(directory, 'op.bin');
    for (let index = 0; index < bytes.length; index++) {
      for (const mask of [0x01, 0x80, 0xff, 1 + ((index * 37) % 255)]) {
        const damaged = bytes.slice();
        damaged[index] = damaged[index]! ^ mask;
        await writeFile(path, damaged);
        const error = await corruption(() => FileSystemCheckpointStorage.readStateFile(directory, handle));
        expect(error.problem).toBe('checksum-mismatch');
        expect((await corruption(() => verifyStateFile(directory, handle))).problem).toBe('checksum-mismatch');
      }
    }
  });

  it('detects a state file that is longer than recorded', async () => {
    const storage = await newStorage();
    const handle = await storage.writeStateFile(1, 'op.bin', bytesOf(30));
    const directory = storage.checkpointDirectory(1);
    await writeFile(join(directory, 'op.bin'), bytesOf(31));
    expect((await corruption(() => FileSystemCheckpointStorage.readStateFile(directory, handle))).problem).toBe('size-mismatch');
  });

  it('detects a state file damaged through corruptCheckpointFile as a real disk would damage it', async () => {
    const storage = await newStorage();
    const { directory, metadata } = await writeSampleCheckpoint(storage, 2);
    const handle = stateFilesOf(metadata)[2]!;
    await corruptCheckpointFile(join(directory, handle.file), { flipByteAt: -1, mask: 0x10 });
    const error = await corruption(() => FileSystemCheckpointStorage.verifyCheckpoint(directory));
    expect(error.path).toBe(join(directory, handle.file));
  });

  it('refuses a state handle whose file name would reach outside the checkpoint directory', async () => {
    const root = await tempDirectory();
    await writeFile(join(root, 'secret'), 'x');
    await mkdir(join(root, 'chk-1'));
    const handle: StateFileHandle = { file: '../secret', size: 1, crc32: 0 };
    const error = await corruption(() => FileSystemCheckpointStorage.readStateFile(join(root, 'chk-1'), handle));
    expect(error.problem).toBe('invalid-content');
    expect(error.message).toContain('"../secret"');
  });
});
