import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KeyGroupRange } from '../../../src/core/key-group-range.js';
import { ValueStateDescriptor } from '../../../src/state/descriptors.js';
import type { ValueState } from '../../../src/state/state.js';
import type { KeyedStateBackend, KeyedStateBackendFactory, KeyedStateBackendOptions } from '../../../src/state/keyed-state-backend.js';
import { createRocksDBBackendFactory } from '../../../src/state/rocksdb/rocksdb-keyed-state-backend.js';
import { STATE_BACKENDS } from '../../support/state-backends.js';
import { describeKeyedStateBackend } from '../keyed-state-backend-contract.js';
import { localFileStore, restorable } from './local-file-store.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-rocksdb-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let instances = 0;
let factory: KeyedStateBackendFactory | undefined;
const create = (options: KeyedStateBackendOptions): KeyedStateBackend => {
  factory ??= createRocksDBBackendFactory({ kind: 'rocksdb', localDirectory: join(root, 'local') }, { jobId: 'test', attemptNumber: 0 });
  return factory({ ...options, instanceName: `i${instances++}` });
};

describe.runIf(STATE_BACKENDS.includes('rocksdb'))('rocksdb state backend', () => {
  // every run of a property creates several RocksDB instances (a few ms each): fewer runs than the heap's 60
  describeKeyedStateBackend('rocksdb (full snapshots)', create, { propertyRuns: 15 });

  let stores = 0;
  describeKeyedStateBackend('rocksdb (incremental snapshots)', create, {
    async snapshotOf(backend, checkpointId) {
      const storage = join(root, `storage-${stores++}`);
      const snapshot = await backend.snapshot(checkpointId, { savepoint: false, files: localFileStore(storage, checkpointId) }).run();
      expect(snapshot.type).toBe('incremental');
      return restorable(snapshot, storage);
    },
    propertyRuns: 15,
  });

  describe('RocksDBKeyedStateBackend', () => {
    it('discards a corrupt working directory left by a crashed run and restores from the snapshot', async () => {
      const storage = join(root, 'discard');
      const original = create({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });
      original.setCurrentKey('a');
      original.getPartitionedState(new ValueStateDescriptor<number>('v')).update(41);
      const snapshot = await original.snapshot(1, { savepoint: false, files: localFileStore(storage, 1) }).run();
      // what a crash may leave under the name the next attempt uses: a broken database
      const leftover = join(root, 'local', 'test', 'crashed', 'db-0');
      mkdirSync(leftover, { recursive: true });
      writeFileSync(join(leftover, 'CURRENT'), 'MANIFEST-999999\n');
      writeFileSync(join(leftover, '000001.sst'), 'not an sst file');
      factory ??= createRocksDBBackendFactory({ kind: 'rocksdb', localDirectory: join(root, 'local') }, { jobId: 'test', attemptNumber: 0 });
      const restored = factory({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127), instanceName: 'crashed' });
      restored.restore([restorable(snapshot, storage)]);
      restored.setCurrentKey('a');
      expect(restored.getPartitionedState(new ValueStateDescriptor<number>('v')).value()).toBe(41);
      expect(existsSync(join(leftover, '000001.sst'))).toBe(false);
      restored.dispose();
    });

    it('deletes its local working directory when disposed', () => {
      const backend = create({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });
      backend.setCurrentKey('a');
      backend.getPartitionedState(new ValueStateDescriptor<number>('v')).update(1);
      expect(readdirSync(join(root, 'local', 'test'))).toContain(`i${instances - 1}`);
      backend.dispose();
      expect(readdirSync(join(root, 'local', 'test'))).not.toContain(`i${instances - 1}`);
    });
  });

  describe('RocksDBKeyedStateBackend incremental checkpoints', () => {
    const fullRange = { maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) };
    const KEYS = 20_000;
    /** 200 characters that do not compress well, as real state rarely does. */
    const value = (i: number, round: number): string =>
      [0, 1, 2, 3, 4].map((part) => createHash('sha256').update(`${round}/${i}/${part}`).digest('base64')).join('').slice(0, 200);

    /** Writes round `round`'s value into keys 0, every, 2 × every… below `keys`. */
    function write(backend: KeyedStateBackend, state: ValueState<string>, round: number, keys: number, every = 1): void {
      for (let i = 0; i < keys; i += every) {
        backend.setCurrentKey(i);
        state.update(value(i, round));
      }
    }

    /** Runs checkpoint `id` into `storage` and confirms it, as a completed checkpoint would. */
    async function checkpoint(backend: KeyedStateBackend, storage: string, id: number) {
      const snapshot = await backend.snapshot(id, { savepoint: false, files: localFileStore(storage, id) }).run();
      if (snapshot.type !== 'incremental') throw new Error('expected an incremental snapshot');
      backend.notifyCheckpointComplete?.(id);
      const uploaded = new Set(snapshot.uploaded);
      const bytes = (all: boolean) => snapshot.sharedFiles.filter((f) => all || uploaded.has(f.file)).reduce((n, f) => n + f.size, 0);
      return { snapshot, uploadedBytes: bytes(false), sharedBytes: bytes(true) };
    }

    it('stores only the SST files that changed since the last completed checkpoint', async () => {
      const storage = join(root, 'incremental-1');
      const backend = create(fullRange);
      const state = backend.getPartitionedState(new ValueStateDescriptor<string>('v'));
      write(backend, state, 0, KEYS);
      const first = await checkpoint(backend, storage, 1);
      expect(first.uploadedBytes).toBe(first.sharedBytes);
      expect(first.sharedBytes).toBeGreaterThan(KEYS * 50);
      write(backend, state, 1, KEYS, 100); // 1 % of the keys
      const second = await checkpoint(backend, storage, 2);
      expect(second.sharedBytes).toBeGreaterThan(first.sharedBytes);
      expect(second.uploadedBytes).toBeLessThan(second.sharedBytes * 0.1);
      // the second refers to every file of the first that is still live
      const firstFiles = new Set(first.snapshot.sharedFiles.map((f) => f.file));
      expect(second.snapshot.sharedFiles.filter((f) => firstFiles.has(f.file)).length).toBe(first.snapshot.sharedFiles.length);
    });

    it('stores everything again when the last checkpoint did not complete', async () => {
      const storage = join(root, 'incremental-2');
      const backend = create(fullRange);
      const state = backend.getPartitionedState(new ValueStateDescriptor<string>('v'));
      write(backend, state, 0, 1000);
      const first = await backend.snapshot(1, { savepoint: false, files: localFileStore(storage, 1) }).run();
      backend.notifyCheckpointAborted?.(1);
      const second = await checkpoint(backend, storage, 2);
      expect(second.uploadedBytes).toBe(second.sharedBytes);
      expect(first.type === 'incremental' && first.sharedFiles.length).toBeGreaterThan(0);
    });

    it('counts the checkpoint a barrier names as completed even before its notice arrives', async () => {
      const storage = join(root, 'incremental-5');
      const backend = create(fullRange);
      const state = backend.getPartitionedState(new ValueStateDescriptor<string>('v'));
      write(backend, state, 0, KEYS);
      const first = await backend.snapshot(1, { savepoint: false, files: localFileStore(storage, 1) }).run();
      backend.setCurrentKey(1);
      state.update(value(1, 1));
      const second = await backend.snapshot(2, { savepoint: false, files: localFileStore(storage, 2), lastCompletedCheckpointId: 1 }).run();
      if (first.type !== 'incremental' || second.type !== 'incremental') throw new Error('expected incremental snapshots');
      const firstFiles = new Set(first.sharedFiles.map((f) => f.file));
      expect(second.sharedFiles.filter((f) => firstFiles.has(f.file))).toHaveLength(first.sharedFiles.length);
      expect(second.uploaded!.length).toBeLessThan(second.sharedFiles.length);
    });

    it('after a restore at the same key groups, refers to the restored files instead of storing them again', async () => {
      const storage = join(root, 'incremental-3');
      const backend = create(fullRange);
      const state = backend.getPartitionedState(new ValueStateDescriptor<string>('v'));
      write(backend, state, 0, KEYS);
      const first = await checkpoint(backend, storage, 1);
      const restored = create(fullRange);
      restored.restore([restorable(first.snapshot, storage)]);
      const again = restored.getPartitionedState(new ValueStateDescriptor<string>('v'));
      restored.setCurrentKey(7);
      expect(again.value()).toBe(value(7, 0));
      again.update(value(7, 2));
      const next = await checkpoint(restored, storage, 2);
      expect(next.uploadedBytes).toBeLessThan(next.sharedBytes * 0.1);
    });

    it('savepoints are full snapshots even when incremental checkpoints are on', async () => {
      const backend = create(fullRange);
      backend.setCurrentKey('a');
      backend.getPartitionedState(new ValueStateDescriptor<number>('v')).update(1);
      const snapshot = await backend.snapshot(1, { savepoint: true, files: localFileStore(join(root, 'incremental-4'), 1) }).run();
      expect(snapshot.type).toBe('full');
    });
  });
});
