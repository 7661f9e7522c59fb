/**
 * Everything a window operator keeps is keyed state: window contents, trigger state,
 * timers and the merging windows' bookkeeping. So a snapshot taken mid-window and restored
 * (at the same or another parallelism) goes on to give exactly the results of a run that
 * was never interrupted. Checked with random streams (fast-check) for every kind of
 * window, function, trigger, evictor and lateness. On rocksdb, where each run opens up to
 * 13 RocksDB instances, a representative subset of the pipelines runs, with fewer runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataStream } from '../../src/api/data-stream.js';
import type { Collector } from '../../src/api/functions.js';
import type { KeyedStream } from '../../src/api/keyed-stream.js';
import type { ProcessWindowContext } from '../../src/api/process-window-function.js';
import {
  CountEvictor,
  CountTrigger,
  EventTimeSessionWindows,
  GlobalWindows,
  ProcessingTimeSessionWindows,
  PurgingTrigger,
  SlidingEventTimeWindows,
  TimeWindow,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  ContinuousEventTimeTrigger,
  type Window,
} from '../../src/api/windowing/index.js';
import type { StreamOperator } from '../../src/runtime/operators/stream-operator.js';
import { MAX_WATERMARK } from '../../src/runtime/time/watermark.js';
import type { KeyedStateSnapshot } from '../../src/state/keyed-state-backend.js';
import type { AggregateFunction } from '../../src/state/state.js';
import { FakeProcessingTimeService } from '../runtime/time/fake-processing-time-service.js';
import { WindowHarness, rangeOf, subtaskOf, windowHarnesses, windowOperatorFactory } from './window-operator-harness.js';
import { casesFor, STATE_BACKENDS } from '../support/state-backends.js';

type KV = [string, number];
const byKey = (r: KV): string => r[0];
const sumKV = (a: KV, b: KV): KV => [a[0], a[1] + b[1]];

/** One step of a test stream. */
type Step = { readonly record: KV; readonly timestamp: number } | { readonly watermark: number } | { readonly advanceTo: number };

function windowName(w: Window): string {
  return w instanceof TimeWindow ? `${w.start}-${w.end}` : 'global';
}

/** Emits `key|window|values` (every element, in the order given). */
function describeAll(key: string, ctx: ProcessWindowContext<Window>, elements: Iterable<KV>, out: Collector<string>): void {
  out.collect(`${key}|${windowName(ctx.window())}|${[...elements].map((e) => e[1]).join(',')}`);
}

/** Emits `key|window|values` sorted (merged windows concatenate in no set order). */
function describeSorted(key: string, ctx: ProcessWindowContext<Window>, elements: Iterable<KV>, out: Collector<string>): void {
  const values = [...elements].map((e) => e[1]).sort((a, b) => a - b);
  out.collect(`${key}|${windowName(ctx.window())}|${values.join(',')}`);
}

/** Emits `key|window|value` for a pre-aggregated value. */
function describeOne<V>(key: string, ctx: ProcessWindowContext<Window>, values: Iterable<V>, out: Collector<string>): void {
  for (const v of values) out.collect(`${key}|${windowName(ctx.window())}|${JSON.stringify(v)}`);
}

const sumAndCount: AggregateFunction<KV, [number, number], [number, number]> = {
  createAccumulator: () => [0, 0],
  add: (value, [sum, count]) => [sum + value[1], count + 1],
  getResult: (acc) => acc,
  merge: ([s1, c1], [s2, c2]) => [s1 + s2, c1 + c2],
};

/** The window pipelines under test, by name. */
const PIPELINES: Record<string, (keyed: KeyedStream<KV, string>) => DataStream<string>> = {
  'tumbling reduce': (k) => k.window(TumblingEventTimeWindows.of(10)).reduce(sumKV, describeOne),
  'sliding process': (k) => k.window(SlidingEventTimeWindows.of(10, 5)).process(describeAll),
  'session aggregate': (k) => k.window(EventTimeSessionWindows.withGap(5)).aggregate(sumAndCount, describeOne),
  'session process': (k) => k.window(EventTimeSessionWindows.withGap(4)).process(describeSorted),
  'tumbling process with lateness': (k) => k.window(TumblingEventTimeWindows.of(10)).allowedLateness(7).process(describeAll),
  'continuous trigger': (k) => k.window(TumblingEventTimeWindows.of(20)).trigger(ContinuousEventTimeTrigger.of(6)).reduce(sumKV, describeOne),
  'global count trigger and evictor': (k) =>
    k.window(GlobalWindows.create()).trigger(CountTrigger.of(3)).evictor(CountEvictor.of(2)).process(describeAll),
  'global purging count': (k) => k.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(2))).aggregate(sumAndCount, describeOne),
  'processing-time tumbling': (k) => k.window(TumblingProcessingTimeWindows.of(10)).reduce(sumKV, describeOne),
  'processing-time sessions': (k) => k.window(ProcessingTimeSessionWindows.withGap(6)).process(describeSorted),
};

/** Results per key, in the order each key's results came, as `result@timestamp`. */
type PerKey = Map<string, string[]>;

type WindowHarnesses = ReturnType<typeof windowHarnesses>;

function collect(into: PerKey, harness: WindowHarness<KV, string, string>): void {
  for (const [record, timestamp] of harness.stamped()) {
    const key = record.split('|')[0]!;
    const list = into.get(key) ?? [];
    list.push(`${record}@${String(timestamp)}`);
    into.set(key, list);
  }
}

/**
 * Runs `steps` in phases, phase i over `steps[cuts[i-1], cuts[i])` at `parallelisms[i]`:
 * each record goes to the subtask that owns its key, watermarks and time to all; between
 * phases every subtask is snapshotted and the next phase's subtasks restore them all
 * (each keeps its key groups). A restored operator's watermark starts at -Infinity, as in
 * a job, so the next phase first gets the last watermark again. Ends with the final
 * watermark.
 */
async function runPhases(
  harness: WindowHarnesses,
  factory: { create: () => StreamOperator<KV, string>; key: (r: KV) => string },
  steps: readonly Step[],
  cuts: readonly number[],
  parallelisms: readonly number[],
): Promise<PerKey> {
  const results: PerKey = new Map();
  let snapshots: KeyedStateSnapshot[] | undefined;
  let now = 0;
  let watermark = Number.NEGATIVE_INFINITY;
  const bounds = [0, ...cuts, steps.length];
  for (let phase = 0; phase < parallelisms.length; phase++) {
    const p = parallelisms[phase]!;
    const harnesses: WindowHarness<KV, string, string>[] = [];
    for (let i = 0; i < p; i++) {
      harnesses.push(
        await harness.open(factory, {
          range: rangeOf(p, i),
          ...(snapshots !== undefined ? { snapshots } : {}),
          time: new FakeProcessingTimeService(now),
          subtask: i,
          parallelism: p,
        }),
      );
    }
    for (const h of harnesses) h.time.runDue(); // overdue processing-time timers fire at once
    if (watermark !== Number.NEGATIVE_INFINITY) for (const h of harnesses) h.watermark(watermark);
    const last = phase === parallelisms.length - 1;
    for (const step of steps.slice(bounds[phase], last ? steps.length : bounds[phase + 1])) {
      if ('record' in step) harnesses[subtaskOf(step.record[0], p)]!.send(step.record, step.timestamp);
      else if ('watermark' in step) {
        watermark = step.watermark;
        for (const h of harnesses) h.watermark(step.watermark);
      } else {
        now = step.advanceTo;
        for (const h of harnesses) h.time.advanceTo(now);
      }
      // as the task's mail: a processing-time callback that is due runs between two records
      for (const h of harnesses) h.time.runDue();
    }
    if (last) for (const h of harnesses) h.watermark(MAX_WATERMARK);
    for (const h of harnesses) collect(results, h);
    snapshots = [];
    for (const h of harnesses) {
      snapshots.push(await h.snapshot(phase + 1));
      await h.close();
    }
  }
  return results;
}

/** Per key, sorted: windows of one key that fire at the same time may come in either order after a restore. */
function normalized(results: PerKey): Record<string, string[]> {
  return Object.fromEntries([...results].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, [...v].sort()]));
}

/** A random stream: records around the watermark (some late), rising watermarks and processing time. */
const stepsArb: fc.Arbitrary<Step[]> = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ kind: fc.constant('record' as const), key: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), value: fc.integer({ min: 1, max: 99 }), offset: fc.integer({ min: -12, max: 15 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('watermark' as const), delta: fc.integer({ min: 0, max: 8 }) }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('time' as const), delta: fc.integer({ min: 0, max: 8 }) }) },
    ),
    { maxLength: 80 },
  )
  .map((raw) => {
    let watermark = 0;
    let now = 0;
    return raw.map((s): Step => {
      if (s.kind === 'record') return { record: [s.key, s.value], timestamp: Math.max(0, watermark + s.offset) };
      if (s.kind === 'watermark') return { watermark: (watermark += s.delta) };
      return { advanceTo: (now += s.delta) };
    });
  });

/**
 * Only records ahead of the watermark. A trigger that sets a timer at or before the
 * watermark (ContinuousEventTimeTrigger for a late record) has it fire at the next
 * watermark; after a restore that is the watermark the test sends again at once, earlier
 * than the uninterrupted run's next one, so such streams legitimately differ.
 */
const onTimeStepsArb: fc.Arbitrary<Step[]> = stepsArb.map((steps) => {
  let watermark = 0;
  return steps.map((step) => {
    if ('watermark' in step) watermark = step.watermark;
    return 'record' in step && step.timestamp <= watermark ? { ...step, timestamp: watermark + 1 } : step;
  });
});

/** Pipelines that run on streams without late records. */
const ON_TIME_ONLY = new Set(['continuous trigger']);

/** The pipelines checked on rocksdb: reduce, process and aggregate; merging; evictors; processing time. */
const ROCKSDB_PIPELINES = new Set(['tumbling reduce', 'sliding process', 'session aggregate', 'global count trigger and evictor', 'processing-time sessions']);

describe.each(STATE_BACKENDS)('[%s] window operator state', (backend) => {
  const harness = windowHarnesses(backend);

  describe('window operator state through snapshots', () => {
    for (const [name, pipeline] of casesFor(backend, Object.entries(PIPELINES), ([name]) => ROCKSDB_PIPELINES.has(name))) {
      it(`${name}: a restore mid-window, at the same or another parallelism, gives the uninterrupted run's results`, async () => {
        const factory = windowOperatorFactory(byKey, pipeline);
        await fc.assert(
          fc.asyncProperty(
            ON_TIME_ONLY.has(name) ? onTimeStepsArb : stepsArb,
            fc.array(fc.nat(), { maxLength: 2 }),
            fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 3, maxLength: 3 }),
            async (steps, rawCuts, ps) => {
              const cuts = [...new Set(rawCuts.map((c) => c % (steps.length + 1)))].sort((a, b) => a - b);
              const expected = normalized(await runPhases(harness, factory, steps, [], [1]));
              const actual = normalized(await runPhases(harness, factory, steps, cuts, ps.slice(0, cuts.length + 1)));
              expect(actual).toEqual(expected);
            },
          ),
          { numRuns: backend === 'hashmap' ? 60 : 10 },
        );
      });
    }

    it('restores a half-filled tumbling window, its timer and a session mid-merge, and rescales them 2 → 3', async () => {
      const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
      const steps: Step[] = [];
      for (let t = 0; t < 40; t++) for (const key of keys) steps.push({ record: [key, t], timestamp: t * 3 });
      steps.push({ watermark: 50 });
      for (let t = 40; t < 60; t++) for (const key of keys) steps.push({ record: [key, t], timestamp: t * 3 });
      const cut = steps.length / 2 + 7; // mid-window, mid-stream
      for (const name of ['tumbling reduce', 'session aggregate', 'sliding process']) {
        const factory = windowOperatorFactory(byKey, PIPELINES[name]!);
        const expected = await runPhases(harness, factory, steps, [], [1]);
        const rescaled = await runPhases(harness, factory, steps, [cut], [2, 3]);
        expect(normalized(rescaled)).toEqual(normalized(expected));
        // every key really had open windows in the snapshot, and got results afterwards
        expect([...expected.keys()].sort()).toEqual([...keys].sort());
      }
    });
  });
});
