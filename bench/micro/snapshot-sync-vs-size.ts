/**
 * `snapshot-sync-vs-size`: the heap backend's snapshot on the backend itself (no job).
 * For each key count, fills a ValueState<number> and measures
 * - the synchronous part, `backend.snapshot(id)` (processing stops for this long in a
 *   task), median of `samples` snapshots, each cancelled again;
 * - the asynchronous part, `await runner.run()` (serialization, yields every 5 ms),
 *   median of `runs`, and the bytes it produced;
 * - the copy-on-write cost a snapshot in flight adds to processing: one update of every
 *   key with a snapshot held (each key group's Map is copied on its first write) versus
 *   one update of every key without.
 * The issue asks that the synchronous part not grow with state size.
 */
import { performance } from 'node:perf_hooks';
import { keyGroupRangeForOperator } from '../../src/core/key-groups.js';
import { ValueStateDescriptor } from '../../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';

const MAX_PARALLELISM = 128;

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function snapshotSyncVsSize(keyCounts: readonly number[], samples = 51, runs = 3) {
  const results = [];
  for (const keys of keyCounts) {
    // all 128 key groups in one backend (parallelism 1), so it holds every key
    const backend = new HeapKeyedStateBackend({ maxParallelism: MAX_PARALLELISM, keyGroupRange: keyGroupRangeForOperator(MAX_PARALLELISM, 1, 0) });
    const state = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
    const updateAll = (delta: number) => {
      for (let k = 0; k < keys; k++) {
        backend.setCurrentKey(k);
        state.update((state.value() ?? 0) + delta);
      }
    };
    updateAll(1);
    let checkpointId = 1;

    // synchronous part
    for (let i = 0; i < 200; i++) backend.snapshot(checkpointId++).cancel(); // warm-up (JIT)
    const syncMs: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const runner = backend.snapshot(checkpointId++);
      syncMs.push(performance.now() - started);
      runner.cancel();
    }

    // asynchronous part
    const asyncMs: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const runner = backend.snapshot(checkpointId++);
      const started = performance.now();
      const snapshot = await runner.run();
      asyncMs.push(performance.now() - started);
      bytes = snapshot.bytes.byteLength;
    }

    // copy-on-write: a pass over every key without and with a snapshot in flight
    updateAll(1); // warm
    let started = performance.now();
    updateAll(1);
    const plainPassMs = performance.now() - started;
    const held = backend.snapshot(checkpointId++);
    started = performance.now();
    updateAll(1);
    const cowPassMs = performance.now() - started;
    held.cancel();

    const entries = backend.numberOfEntries('count');
    backend.dispose();
    const label = keys >= 1e6 ? `${keys / 1e6}m` : `${keys / 1e3}k`;
    results.push({
      bench: `snapshot-sync-vs-size-${label}-keys`,
      value: +median(syncMs).toFixed(4),
      unit: `ms sync part (median of ${samples})`,
      detail: {
        keys,
        entriesInThisBackend: entries,
        keyGroups: backend.keyGroupRange.numberOfKeyGroups,
        syncMsMin: +Math.min(...syncMs).toFixed(4),
        syncMsMax: +Math.max(...syncMs).toFixed(4),
        asyncMedianMs: +median(asyncMs).toFixed(1),
        asyncMs: asyncMs.map((x) => +x.toFixed(1)),
        snapshotBytes: bytes,
        asyncNsPerEntry: Math.round((median(asyncMs) * 1e6) / entries),
        updatePassMs: +plainPassMs.toFixed(1),
        updatePassWithSnapshotHeldMs: +cowPassMs.toFixed(1),
      },
    });
  }
  return results;
}
