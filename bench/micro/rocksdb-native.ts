/**
 * `rocksdb-native`: the cost of one call through the koffi RocksDB binding
 * (src/state/rocksdb/native), the state backend's per-record path. `operations` calls per
 * round cycle through `keys` keys of 16 bytes with values of 100 bytes. Reads run after a
 * flush and compaction, from the block cache; all of it fits in memory, so the figures
 * are binding overhead plus RocksDB's in-memory cost, not disk I/O. Time is the
 * process's CPU time (`process.cpuUsage`, RocksDB's background threads included), which
 * other processes on a busy machine disturb less than wall time.
 *
 *   npx tsx bench/micro/rocksdb-native.ts [keys] [operations] [rounds]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadRocksDB } from '../../src/state/rocksdb/native/rocksdb-library.js';

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Median CPU ns per call of each native call, over `rounds` rounds of `operations` calls. */
export function rocksdbNativeCalls(keys = 1000, operations = 200_000, rounds = 7) {
  const directory = mkdtempSync(join(tmpdir(), 'eddy-rocksdb-bench-'));
  const db = loadRocksDB().open(directory, ['state']);
  try {
    const cf = db.columnFamily('state')!;
    const keyList = Array.from({ length: operations }, (_, i) => {
      const key = new Uint8Array(16);
      new DataView(key.buffer).setUint32(12, i % keys);
      return key;
    });
    const missing = keyList.map((key) => Uint8Array.from(key, (byte, i) => (i === 0 ? 0xff : byte)));
    const value = new Uint8Array(100).fill(7);
    const measure = (run: () => void) => {
      const samples: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const started = process.cpuUsage();
        run();
        const used = process.cpuUsage(started);
        samples.push(((used.user + used.system) * 1e3) / operations);
      }
      return +median(samples).toFixed(0);
    };
    const results: Record<string, number> = {};
    results.put = measure(() => {
      for (const key of keyList) db.put(cf, key, value);
    });
    // reads come from an SST file through the block cache, as most state reads do
    db.flush();
    db.compactRange(cf);
    results.get = measure(() => {
      for (const key of keyList) db.get(cf, key);
    });
    results['get-missing'] = measure(() => {
      for (const key of missing) db.get(cf, key);
    });
    results['iterate-entry'] = measure(() => {
      for (let scanned = 0; scanned < operations; ) {
        const iterator = db.iterator(cf);
        for (iterator.seekToFirst(); iterator.valid() && scanned < operations; iterator.next(), scanned++) {
          iterator.key();
          iterator.value();
        }
        iterator.close();
      }
    });
    results['batch-put'] = measure(() => {
      const batch = db.newWriteBatch();
      for (const key of keyList) batch.put(cf, key, value);
      db.write(batch);
      batch.destroy();
    });
    results.delete = measure(() => {
      for (const key of keyList) db.delete(cf, key);
    });
    return Object.entries(results).map(([call, ns]) => ({
      bench: `rocksdb-native-${call}`,
      value: ns,
      unit: 'ns/op',
      detail: { keys, operations, rounds, keyBytes: 16, valueBytes: 100 },
    }));
  } finally {
    db.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [keys, operations, rounds] = process.argv.slice(2).map((arg) => Number(arg) || undefined);
  for (const result of rocksdbNativeCalls(keys, operations, rounds)) console.log(JSON.stringify(result));
}
