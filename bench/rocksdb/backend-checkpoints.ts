/**
 * RocksDB backend checkpoints and restores, at the backend level (no job around them):
 *
 * - `rocksdb-checkpoint-*`: a backend filled with `keys` keys of `valueBytes` bytes takes a
 *   full and an incremental checkpoint of the same state (size stored, synchronous and
 *   asynchronous time), then 1 % of the keys change and both kinds are taken again: the
 *   incremental one stores only the new SST files.
 * - `rocksdb-restore-*`: from an incremental checkpoint of that state, a restore at the
 *   same key groups (files linked, not read), a rescale 1 → 2 (each half clips the other's
 *   key groups away), and a rescale 2 → 1 (the two halves merged into one instance).
 *
 * Files go through the real checkpoint file store (copies with fsync) into a temporary
 * directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { incrementalSnapshot } from '../../src/checkpoint/restore/task-restore-loader.js';
import { FileSystemCheckpointFileStore } from '../../src/checkpoint/storage/checkpoint-file-store.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import { ValueStateDescriptor } from '../../src/state/descriptors.js';
import type { IncrementalKeyedStateSnapshot, KeyedStateBackend, KeyedStateBackendFactory, SnapshotFile } from '../../src/state/keyed-state-backend.js';
import { createRocksDBBackendFactory } from '../../src/state/rocksdb/rocksdb-keyed-state-backend.js';
import { median, type Result } from '../checkpoint/common.js';

const MAX_P = 128;
const ALL = KeyGroupRange.of(0, MAX_P - 1);
const HALVES = [KeyGroupRange.of(0, 63), KeyGroupRange.of(64, 127)];

/** 1 MiB of pseudo-random characters (xorshift32, fixed seed); values are windows of it. */
const POOL = (() => {
  let x = 0x2545f491;
  let out = '';
  while (out.length < 1 << 20) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += (x >>> 0).toString(36);
  }
  return out;
})();

/** `bytes` characters that do not compress, different per key and round. */
function valueOf(key: number, round: number, bytes: number): string {
  const start = ((Math.imul(key + 1, 0x9e3779b1) ^ Math.imul(round + 7, 0x85ebca6b)) >>> 0) % (POOL.length - bytes);
  return `${key}/${round}/` + POOL.slice(start, start + bytes);
}

export async function rocksdbBackendCheckpoints(options: { keys: number; valueBytes: number }): Promise<Result[]> {
  const { keys, valueBytes } = options;
  const root = mkdtempSync(join(tmpdir(), 'eddy-bench-rocksdb-checkpoints-'));
  const storage = join(root, 'storage');
  let instance = 0;
  const factory: KeyedStateBackendFactory = createRocksDBBackendFactory(
    { kind: 'rocksdb', localDirectory: join(root, 'local') },
    { jobId: 'bench', attemptNumber: 0 },
  );
  const incrementalFactory = (range: KeyGroupRange): KeyedStateBackend => factory({ maxParallelism: MAX_P, keyGroupRange: range, instanceName: `i${instance++}` });
  const fullFactory = createRocksDBBackendFactory(
    { kind: 'rocksdb', localDirectory: join(root, 'local-full'), incrementalCheckpoints: false },
    { jobId: 'bench', attemptNumber: 0 },
  );
  const results: Result[] = [];
  let checkpointId = 0;
  const store = (id: number, subtask: number) =>
    new FileSystemCheckpointFileStore({
      checkpointId: id,
      checkpointDirectory: join(storage, `chk-${id}`),
      sharedDirectory: join(storage, 'shared'),
      uid: 'bench',
      subtaskIndex: subtask,
    });
  /** Takes a checkpoint: its kind, bytes stored, sync and async ms. */
  const checkpoint = async (backend: KeyedStateBackend, subtask = 0) => {
    const id = ++checkpointId;
    const started = performance.now();
    const runner = backend.snapshot(id, { savepoint: false, files: store(id, subtask) });
    const syncMs = performance.now() - started;
    const snapshot = await runner.run();
    const asyncMs = performance.now() - started - syncMs;
    backend.notifyCheckpointComplete?.(id);
    if (snapshot.type === 'full') return { snapshot, storedBytes: snapshot.bytes.length, totalBytes: snapshot.bytes.length, syncMs, asyncMs };
    const uploaded = new Set(snapshot.uploaded);
    const size = (files: readonly SnapshotFile[]) => files.reduce((n, f) => n + f.size, 0);
    return {
      snapshot,
      storedBytes: size(snapshot.sharedFiles.filter((f) => uploaded.has(f.file))) + size(snapshot.privateFiles),
      totalBytes: size(snapshot.sharedFiles) + size(snapshot.privateFiles),
      syncMs,
      asyncMs,
    };
  };
  // as the restore loader turns a checkpoint's handle into what a backend restores
  const restorable = (snapshot: IncrementalKeyedStateSnapshot): IncrementalKeyedStateSnapshot =>
    incrementalSnapshot(snapshot, join(storage, `chk-${snapshot.checkpointId}`), snapshot.checkpointId, snapshot.maxParallelism);
  const fill = (backend: KeyedStateBackend, round: number, every = 1, first = 0) => {
    const state = backend.getPartitionedState(new ValueStateDescriptor<string>('value'));
    for (let key = first; key < keys; key += every) {
      backend.setCurrentKey(key);
      state.update(valueOf(key, round, valueBytes));
    }
  };

  try {
    const full = fullFactory({ maxParallelism: MAX_P, keyGroupRange: ALL, instanceName: 'full' });
    const incremental = incrementalFactory(ALL);
    let started = performance.now();
    fill(incremental, 0);
    const fillSeconds = (performance.now() - started) / 1000;
    fill(full, 0);
    const detail = { keys, valueBytes, fillRecordsPerSecond: Math.round(keys / fillSeconds) };

    const fullFirst = await checkpoint(full);
    const incrementalFirst = await checkpoint(incremental);
    fill(full, 1, 100);
    const fullSecond = await checkpoint(full);
    full.dispose();
    // 1 % of the keys change before each of 5 checkpoints (other keys each time); RocksDB's
    // compactions rewrite SST files now and then, and a checkpoint after one stores more
    const rounds: Array<Awaited<ReturnType<typeof checkpoint>>> = [];
    for (let round = 1; round <= 5; round++) {
      fill(incremental, round, 100, round - 1);
      rounds.push(await checkpoint(incremental));
    }
    const incrementalSecond = rounds.at(-1)!;
    const describe = (c: Awaited<ReturnType<typeof checkpoint>>) => ({
      storedBytes: c.storedBytes,
      totalBytes: c.totalBytes,
      syncMs: +c.syncMs.toFixed(1),
      asyncMs: +c.asyncMs.toFixed(1),
    });
    results.push(
      { bench: 'rocksdb-checkpoint-full-first', value: Math.round(fullFirst.syncMs + fullFirst.asyncMs), unit: 'ms', detail: { ...detail, ...describe(fullFirst) } },
      { bench: 'rocksdb-checkpoint-incremental-first', value: Math.round(incrementalFirst.syncMs + incrementalFirst.asyncMs), unit: 'ms', detail: { ...detail, ...describe(incrementalFirst) } },
      { bench: 'rocksdb-checkpoint-full-after-1pct-change', value: Math.round(fullSecond.syncMs + fullSecond.asyncMs), unit: 'ms', detail: { ...detail, ...describe(fullSecond) } },
      {
        bench: 'rocksdb-checkpoint-incremental-after-1pct-change',
        value: Math.round(median(rounds.map((c) => c.syncMs + c.asyncMs))),
        unit: 'ms (median of 5 checkpoints, each after 1 % of the keys changed)',
        detail: {
          ...detail,
          rounds: rounds.map((c) => ({ ...describe(c), storedShareOfFull: +(c.storedBytes / fullSecond.storedBytes).toFixed(4) })),
          medianStoredShareOfFull: +median(rounds.map((c) => c.storedBytes / fullSecond.storedBytes)).toFixed(4),
        },
      },
    );

    // restores from the last incremental checkpoint
    if (incrementalSecond.snapshot.type !== 'incremental') throw new Error('expected an incremental snapshot');
    const source = restorable(incrementalSecond.snapshot);
    const stateBytes = incrementalSecond.totalBytes;
    incremental.dispose();
    const timed = (name: string, body: () => KeyedStateBackend[]) => {
      const t = performance.now();
      const restored = body();
      const ms = performance.now() - t;
      // check a few keys came back, outside the timing
      for (const backend of restored) {
        const state = backend.getPartitionedState(new ValueStateDescriptor<string>('value'));
        let found = 0;
        for (let key = 0; key < 1000; key++) {
          try {
            backend.setCurrentKey(key);
          } catch {
            continue; // not this backend's key group
          }
          if (state.value() === valueOf(key, key % 100 < 5 ? (key % 100) + 1 : 0, valueBytes)) found++;
        }
        if (found === 0) throw new Error(`${name}: restored backend holds none of the keys it should`);
      }
      results.push({ bench: name, value: Math.round(ms), unit: 'ms', detail: { stateBytes, keys } });
      return restored;
    };
    for (const b of timed('rocksdb-restore-same-parallelism', () => {
      const b = incrementalFactory(ALL);
      b.restore([source]);
      return [b];
    })) b.dispose();
    const halves = timed('rocksdb-restore-rescale-1-to-2', () =>
      HALVES.map((range) => {
        const b = incrementalFactory(range);
        b.restore([source]);
        return b;
      }),
    );
    const halfSnapshots: IncrementalKeyedStateSnapshot[] = [];
    for (const [i, half] of halves.entries()) {
      const c = await checkpoint(half, i);
      if (c.snapshot.type !== 'incremental') throw new Error('expected an incremental snapshot');
      halfSnapshots.push(restorable(c.snapshot));
      half.dispose();
    }
    for (const b of timed('rocksdb-restore-rescale-2-to-1', () => {
      const b = incrementalFactory(ALL);
      b.restore(halfSnapshots);
      return [b];
    })) b.dispose();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return results;
}
