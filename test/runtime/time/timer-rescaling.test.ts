/**
 * Timers live in the keyed state backend, partitioned by key group: a snapshot taken at
 * one parallelism restores at another with every timer in exactly one new instance, the
 * one that owns its key group, and each fires exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyId, type Key } from '../../../src/core/key-encoding.js';
import { keyGroupRangeForOperator, operatorIndexForKeyGroup } from '../../../src/core/key-groups.js';
import type { TimeDomain } from '../../../src/runtime/time/timer-state.js';
import { MAX_WATERMARK } from '../../../src/runtime/time/watermark.js';
import type { KeyedStateSnapshot } from '../../../src/state/keyed-state-backend.js';
import { VOID_NAMESPACE, type Namespace } from '../../../src/state/namespace.js';
import { FakeProcessingTimeService } from './fake-processing-time-service.js';
import { heapBackend, keyGroupOf, MAX_P, timerService, type Fired } from './timer-fixtures.js';

interface TimerSpec {
  readonly key: Key;
  readonly namespace: Namespace;
  readonly timestamp: number;
  readonly domain: TimeDomain;
}

const keyArb: fc.Arbitrary<Key> = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.string({ maxLength: 6 }),
  fc.tuple(fc.constantFrom('user', 'device'), fc.integer({ min: 0, max: 50 })),
  fc.bigInt({ min: -(1n << 70n), max: 1n << 70n }),
);
const timerArb: fc.Arbitrary<TimerSpec> = fc.record({
  key: keyArb,
  namespace: fc.oneof(fc.constant<Namespace>(VOID_NAMESPACE), fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constant(10))),
  timestamp: fc.integer({ min: 1, max: 10_000 }),
  domain: fc.constantFrom<TimeDomain>('event-time', 'processing-time'),
});

/** Identity of a timer across instances. */
function id(t: { key: Key; namespace: Namespace; timestamp: number; domain: TimeDomain }): string {
  const ns = t.namespace === VOID_NAMESPACE ? 'void' : String(keyId(t.namespace));
  return `${t.domain}|${typeof t.key}:${String(keyId(t.key))}|${ns}|${t.timestamp}`;
}

/** Registers `timers` at parallelism `p` (each in the instance that owns its key) and snapshots every instance. */
async function snapshotsAt(p: number, timers: readonly TimerSpec[], deleted: readonly TimerSpec[]): Promise<KeyedStateSnapshot[]> {
  const snapshots: KeyedStateSnapshot[] = [];
  for (let i = 0; i < p; i++) {
    const range = keyGroupRangeForOperator(MAX_P, p, i);
    const { backend, service } = timerService(heapBackend(range), new FakeProcessingTimeService(0));
    const set = (t: TimerSpec, action: 'register' | 'delete'): void => {
      if (!range.contains(keyGroupOf(t.key))) return;
      backend.setCurrentKey(t.key);
      if (t.domain === 'event-time') {
        if (action === 'register') service.registerEventTimeTimer(t.namespace, t.timestamp);
        else service.deleteEventTimeTimer(t.namespace, t.timestamp);
      } else if (action === 'register') service.registerProcessingTimeTimer(t.namespace, t.timestamp);
      else service.deleteProcessingTimeTimer(t.namespace, t.timestamp);
    };
    for (const t of timers) set(t, 'register');
    for (const t of deleted) set(t, 'delete');
    snapshots.push(await backend.snapshot(1).run());
    backend.dispose();
  }
  return snapshots;
}

/** Restores `snapshots` at parallelism `p`, and returns, per new instance, the timers it holds and then fires. */
function restoreAt(p: number, snapshots: readonly KeyedStateSnapshot[]): Array<{ held: string[]; fired: Fired[]; index: number }> {
  const instances: Array<{ held: string[]; fired: Fired[]; index: number }> = [];
  for (let i = 0; i < p; i++) {
    const backend = heapBackend(keyGroupRangeForOperator(MAX_P, p, i));
    backend.restore(snapshots);
    const time = new FakeProcessingTimeService(0);
    const { service, fired } = timerService(backend, time);
    const held = (['event-time', 'processing-time'] as const).flatMap((domain) =>
      service.timers(domain).map((t) => id({ ...t, domain })),
    );
    service.advanceWatermark(MAX_WATERMARK);
    time.advanceTo(Number.MAX_SAFE_INTEGER);
    instances.push({ held, fired, index: i });
  }
  return instances;
}

function checkRescaled(
  timers: readonly TimerSpec[],
  deleted: readonly TimerSpec[],
  newP: number,
  instances: ReturnType<typeof restoreAt>,
): void {
  const gone = new Set(deleted.map(id));
  const expected = new Set(timers.map(id).filter((t) => !gone.has(t)));
  const owner = new Map<string, number>();
  for (const t of timers) owner.set(id(t), operatorIndexForKeyGroup(MAX_P, newP, keyGroupOf(t.key)));
  const firedAll: string[] = [];
  for (const { held, fired, index } of instances) {
    for (const t of held) expect(owner.get(t)).toBe(index);
    const firedIds = fired.map((f) => id(f));
    expect(firedIds.sort()).toEqual([...held].sort()); // each held timer fires once, nothing else
    for (const f of fired) expect(keyId(f.currentKey!)).toEqual(keyId(f.key));
    firedAll.push(...firedIds);
  }
  expect(firedAll.sort()).toEqual([...expected].sort()); // every timer in exactly one instance
}

describe('timers across rescaling', () => {
  it('puts every timer of a 2-instance snapshot into exactly the one of 3 new instances that owns its key group', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(timerArb, { maxLength: 60 }), fc.array(timerArb, { maxLength: 10 }), async (timers, extra) => {
        const deleted = [...timers.filter((_, i) => i % 5 === 0), ...extra];
        const snapshots = await snapshotsAt(2, timers, deleted);
        checkRescaled(timers, deleted, 3, restoreAt(3, snapshots));
      }),
      { numRuns: 60 },
    );
  });

  it('does the same from and to any parallelism', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(timerArb, { maxLength: 40 }),
        async (oldP, newP, timers) => {
          const snapshots = await snapshotsAt(oldP, timers, []);
          checkRescaled(timers, [], newP, restoreAt(newP, snapshots));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('moves a timer to a new instance that fires it while the others hold nothing of its key', async () => {
    const key = 'sensor-7';
    const snapshots = await snapshotsAt(2, [{ key, namespace: VOID_NAMESPACE, timestamp: 42, domain: 'event-time' }], []);
    const instances = restoreAt(3, snapshots);
    const owner = operatorIndexForKeyGroup(MAX_P, 3, keyGroupOf(key));
    expect(instances.map((i) => i.fired.map((f) => [f.key, f.timestamp]))).toEqual(
      [0, 1, 2].map((i) => (i === owner ? [[key, 42]] : [])),
    );
  });
});
