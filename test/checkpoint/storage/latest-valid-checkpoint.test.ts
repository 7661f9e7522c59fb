import { cp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corruptCheckpointFile } from '../../../src/checkpoint/storage/checkpoint-corruption.js';
import { CheckpointCorruptedError } from '../../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import type { CheckpointProblem } from '../../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { FileSystemCheckpointStorage } from '../../../src/checkpoint/storage/checkpoint-storage.js';
import { newStorage, snapshotTree, writeSampleCheckpoint } from './support.js';

/** Paths of the files of a checkpoint: its _metadata and its first keyed state file. */
function filesOf(storage: FileSystemCheckpointStorage, id: number): { metadata: string; stateFile: string } {
  const directory = storage.checkpointDirectory(id);
  return { metadata: join(directory, '_metadata'), stateFile: join(directory, storage.stateFileName('count per key/ü', 0, 'keyed')) };
}

const damages: { what: string; problem: CheckpointProblem; damage: (s: FileSystemCheckpointStorage, id: number) => Promise<void> }[] = [
  { what: 'a flipped byte in _metadata', problem: 'checksum-mismatch', damage: (s, id) => corruptCheckpointFile(filesOf(s, id).metadata, { flipByteAt: -20 }) },
  { what: 'a truncated _metadata', problem: 'truncated', damage: (s, id) => corruptCheckpointFile(filesOf(s, id).metadata, { truncateTo: 150 }) },
  { what: 'an empty _metadata', problem: 'truncated', damage: (s, id) => corruptCheckpointFile(filesOf(s, id).metadata, { truncateTo: 0 }) },
  { what: 'a missing state file', problem: 'missing-file', damage: (s, id) => rm(filesOf(s, id).stateFile) },
  { what: 'a truncated state file', problem: 'truncated', damage: (s, id) => corruptCheckpointFile(filesOf(s, id).stateFile, { truncateTo: 99 }) },
  { what: 'a flipped bit in a state file', problem: 'checksum-mismatch', damage: (s, id) => corruptCheckpointFile(filesOf(s, id).stateFile, { flipByteAt: 50, mask: 0x04 }) },
  { what: 'a state file with bytes appended', problem: 'size-mismatch', damage: (s, id) => writeFile(filesOf(s, id).stateFile, new Uint8Array(101)) },
];

describe('findLatestValidCheckpoint', () => {
  it('returns the newest checkpoint when every checkpoint checks out', async () => {
    const storage = await newStorage();
    await writeSampleCheckpoint(storage, 1);
    const { metadata, directory } = await writeSampleCheckpoint(storage, 2);
    expect(await storage.findLatestValidCheckpoint()).toEqual({ metadata, directory, skipped: [] });
  });

  for (const { what, problem, damage } of damages) {
    it(`skips a newest checkpoint with ${what} and returns the older one, saying why`, async () => {
      const storage = await newStorage();
      const older = await writeSampleCheckpoint(storage, 4);
      await writeSampleCheckpoint(storage, 5);
      await damage(storage, 5);

      const found = await storage.findLatestValidCheckpoint();
      expect(found?.directory).toBe(older.directory);
      expect(found?.metadata).toEqual(older.metadata);
      expect(found?.skipped).toHaveLength(1);
      expect(found?.skipped[0]!.directory).toBe(storage.checkpointDirectory(5));
      expect(found?.skipped[0]!.error).toBeInstanceOf(CheckpointCorruptedError);
      expect((found?.skipped[0]!.error as CheckpointCorruptedError).problem).toBe(problem);
      expect(found?.skipped[0]!.reason).toContain(storage.checkpointDirectory(5));
    });
  }

  it('returns undefined when every checkpoint is corrupt, and the scan gives a reason for each', async () => {
    const storage = await newStorage();
    for (const id of [1, 2, 3]) await writeSampleCheckpoint(storage, id);
    await damages[0]!.damage(storage, 3);
    await damages[3]!.damage(storage, 2);
    await damages[4]!.damage(storage, 1);

    expect(await storage.findLatestValidCheckpoint()).toBeUndefined();
    const scan = await storage.scanCheckpoints();
    expect(scan.latest).toBeUndefined();
    expect(scan.skipped.map((s) => [s.directory, (s.error as CheckpointCorruptedError).problem])).toEqual([
      [storage.checkpointDirectory(3), 'checksum-mismatch'],
      [storage.checkpointDirectory(2), 'missing-file'],
      [storage.checkpointDirectory(1), 'truncated'],
    ]);
    expect(scan.skipped[1]!.reason).toMatch(/state file '.*op-count_per_key_/);
  });

  it('skips a checkpoint directory that holds another checkpoint than its name says', async () => {
    const storage = await newStorage();
    const first = await writeSampleCheckpoint(storage, 1);
    await cp(first.directory, storage.checkpointDirectory(8), { recursive: true });
    const found = await storage.findLatestValidCheckpoint();
    expect(found?.directory).toBe(first.directory);
    expect(found?.skipped[0]!.reason).toMatch(/holds checkpoint 1, not 8/);
  });

  it('never deletes or changes a file while listing, scanning and reading, corrupt checkpoints included', async () => {
    const storage = await newStorage();
    for (const id of [1, 2, 3, 4]) await writeSampleCheckpoint(storage, id);
    await damages[0]!.damage(storage, 4);
    await damages[3]!.damage(storage, 3);
    await storage.writeStateFile(5, 'in-progress.bin', new Uint8Array(10));
    const before = await snapshotTree(storage.config.directory);

    await storage.listCompletedCheckpoints();
    await storage.findLatestValidCheckpoint();
    await storage.scanCheckpoints();
    for (const id of [1, 2, 3, 4, 5]) {
      const directory = storage.checkpointDirectory(id);
      await FileSystemCheckpointStorage.verifyCheckpoint(directory).catch(() => {});
      const metadata = await FileSystemCheckpointStorage.readCheckpoint(directory).catch(() => undefined);
      for (const op of metadata?.operators ?? []) {
        for (const sub of op.subtasks) {
          if (sub.keyed && sub.keyed.type !== 'incremental') await FileSystemCheckpointStorage.readStateFile(directory, sub.keyed).catch(() => {});
        }
      }
    }

    expect(await snapshotTree(storage.config.directory)).toEqual(before);
  });
});
