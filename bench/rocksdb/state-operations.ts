/**
 * Per-operation cost of keyed state on the heap and the RocksDB backend, measured in one
 * run: value get, value put, value read-modify-write (a keyed count), map get and put, and
 * map iteration per entry. Keys are ints, values small objects (as a typical count or
 * profile is), the key set larger than one memtable holds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import { MapStateDescriptor, ValueStateDescriptor } from '../../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../../src/state/keyed-state-backend.js';
import { createRocksDBBackendFactory } from '../../src/state/rocksdb/rocksdb-keyed-state-backend.js';

interface Profile {
  count: number;
  last: number;
  tag: string;
}

/** ns per operation of each kind, for `keys` keys, each op repeated `operations` times. */
export async function stateOperationCosts(keys: number, operations: number) {
  const local = mkdtempSync(join(tmpdir(), 'eddy-bench-rocksdb-'));
  const range = { maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) };
  const backends: Array<[string, () => KeyedStateBackend]> = [
    ['heap', () => new HeapKeyedStateBackend(range)],
    ['rocksdb', () => createRocksDBBackendFactory({ kind: 'rocksdb', localDirectory: local }, { jobId: 'bench', attemptNumber: 0 })({ ...range, instanceName: 'ops' })],
  ];
  const results = [];
  try {
    const costs = new Map<string, Map<string, number>>();
    for (const [name, create] of backends) {
      const backend = create();
      const value = backend.getPartitionedState(new ValueStateDescriptor<Profile>('value'));
      const map = backend.getPartitionedState(new MapStateDescriptor<number, number>('map'));
      const time = (op: string, n: number, body: (i: number) => void) => {
        for (let i = 0; i < Math.min(n, 50_000); i++) body(i); // warm-up
        const started = performance.now();
        for (let i = 0; i < n; i++) body(i);
        const ns = ((performance.now() - started) * 1e6) / n;
        if (!costs.has(op)) costs.set(op, new Map());
        costs.get(op)!.set(name, ns);
      };
      const profile = (i: number): Profile => ({ count: i, last: i * 7, tag: `t${i % 100}` });
      time('value-put', operations, (i) => {
        backend.setCurrentKey(i % keys);
        value.update(profile(i));
      });
      time('value-get', operations, (i) => {
        backend.setCurrentKey(i % keys);
        value.value();
      });
      time('value-read-modify-write', operations, (i) => {
        backend.setCurrentKey(i % keys);
        const p = value.value() ?? profile(0);
        p.count++;
        value.update(p);
      });
      const mapKeys = Math.max(1, Math.floor(keys / 100));
      time('map-put', operations, (i) => {
        backend.setCurrentKey(i % mapKeys);
        map.put(i % 100, i);
      });
      time('map-get', operations, (i) => {
        backend.setCurrentKey(i % mapKeys);
        map.get(i % 100);
      });
      // iteration: per entry of 100-entry maps
      const maps = Math.max(1, Math.floor(operations / 100));
      time('map-iterate-per-entry', maps, (i) => {
        backend.setCurrentKey(i % mapKeys);
        for (const entry of map.entries()) void entry;
      });
      const perEntry = costs.get('map-iterate-per-entry')!;
      perEntry.set(name, perEntry.get(name)! / 100);
      backend.dispose();
      await Promise.resolve();
    }
    for (const [op, byBackend] of costs) {
      const heap = byBackend.get('heap')!;
      const rocksdb = byBackend.get('rocksdb')!;
      results.push({
        bench: `state-op-${op}-rocksdb`,
        value: Math.round(rocksdb),
        unit: 'ns/op',
        detail: { heapNs: Math.round(heap), rocksdbOverHeap: +(rocksdb / heap).toFixed(1), keys, operations },
      });
    }
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
  return results;
}
