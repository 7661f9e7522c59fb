/**
 * Micro-benchmark of the heap keyed state backend on the per-record path: read-modify-write
 * of a number ValueState over 100k string keys (setCurrentKey + value() + update()), with
 * and without a snapshot in flight, plus the sync and async snapshot times.
 * Run: `npx tsx bench/heap-keyed-state.ts`. Prints one JSON object per line.
 */
import { KeyGroupRange } from '../src/core/key-group-range.js';
import { ValueStateDescriptor } from '../src/state/descriptors.js';
import { HeapKeyedStateBackend } from '../src/state/heap/heap-keyed-state-backend.js';

const KEYS = 100_000;
const ROUNDS = 10;

function report(name: string, ops: number, ms: number, extra: Record<string, unknown> = {}): void {
  console.log(JSON.stringify({ bench: name, ops, ms: Math.round(ms * 10) / 10, opsPerSec: Math.round((ops / ms) * 1000), ...extra }));
}

async function main(): Promise<void> {
  for (const [label, makeKey] of [
    ['string keys', (i: number) => `user-${i}`],
    ['int keys', (i: number) => i],
  ] as const) {
    const backend = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });
    const count = backend.getPartitionedState(new ValueStateDescriptor<number>('count'));
    const keys = Array.from({ length: KEYS }, (_, i) => makeKey(i));
    const rmw = (): void => {
      for (let i = 0; i < KEYS; i++) {
        backend.setCurrentKey(keys[i]!);
        count.update((count.value() ?? 0) + 1);
      }
    };
    rmw(); // warm-up and fill
    let start = performance.now();
    for (let r = 0; r < ROUNDS; r++) rmw();
    report(`value-state rmw, ${label}`, KEYS * ROUNDS, performance.now() - start);

    // Without setCurrentKey: the state access alone.
    start = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      backend.setCurrentKey(keys[r]!);
      for (let i = 0; i < KEYS; i++) count.update((count.value() ?? 0) + 1);
    }
    report(`value-state rmw, same key (no setCurrentKey), ${label}`, KEYS * ROUNDS, performance.now() - start);

    const record = backend.getPartitionedState(new ValueStateDescriptor<{ count: number; last: string }>('record'));
    start = performance.now();
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < KEYS; i++) {
        backend.setCurrentKey(keys[i]!);
        const current = record.value() ?? { count: 0, last: '' };
        current.count++;
        current.last = 'x';
        record.update(current);
      }
    }
    report(`value-state rmw of a small object (copied in and out), ${label}`, KEYS * ROUNDS, performance.now() - start);

    start = performance.now();
    const runner = backend.snapshot(1);
    const syncMs = performance.now() - start;
    start = performance.now();
    rmw(); // every key group is copied once on its first write
    const cowMs = performance.now() - start;
    start = performance.now();
    const snapshot = await runner.run();
    report(`snapshot, ${label}`, KEYS, performance.now() - start, {
      syncMs: Math.round(syncMs * 1000) / 1000,
      firstRoundAfterSnapshotMs: Math.round(cowMs * 10) / 10,
      bytes: snapshot.bytes.length,
    });
    start = performance.now();
    const restored = new HeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 63) });
    restored.restore([snapshot]);
    restored.getPartitionedState(new ValueStateDescriptor<number>('count'));
    report(`restore half of the key groups, ${label}`, KEYS / 2, performance.now() - start);
  }
}

await main();
