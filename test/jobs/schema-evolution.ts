/**
 * Test job of the schema-evolution suite (DESIGN §4.4): sensors report temperatures; the
 * keyed function `temps` keeps them in all five keyed state kinds and the map
 * `calibration` keeps calibration points in the three operator state kinds. The schema
 * of every state is a job parameter, so a savepoint taken under one schema can be
 * restored into another and the restored values visibly change shape.
 *
 * Schemas (`schema`, overridden per state by `schema.<state name>`):
 * - `1`: descriptor version 1; temperatures stored as Celsius numbers;
 * - `2`: version 2; temperatures stored as `{ kelvin }`, with a `migrate` from version 1;
 * - `2-no-migrate`: version 2 without `migrate`;
 * - `2-migrate-throws`: version 2 whose `migrate` throws {@link MIGRATE_FAILURE};
 * - `kind-changed`: version 1, but the state is asked for as another kind (keyed `min`
 *   as list state, the other keyed states as value state; operator `offsets` as union
 *   list state, `reference` as split list state, `limits` as list state).
 *
 * Keyed states of `temps` (key `sensor-<n % keys>`): value `min` (lowest reading), list
 * `history` (every reading), map `bucketMax` (highest reading per bucket
 * `floor(n / keys) % 3`), reducing `max`, aggregating `mean` (accumulator v1
 * `[celsiusSum, count]`, v2 `{ kelvinSum, count }`; its result is the accumulator as an
 * object). All of them are independent of the order in which a key's records arrive.
 * On the first record of each key it sees, `temps` emits the key's state as it found it
 * ({@link SensorState}) to the collect sink `states`, then adds the record.
 *
 * Operator states of `calibration`, made on a fresh start only: split list `offsets`
 * (3 per subtask: `10·subtask + i` °C), union list `reference` (`100 + subtask` °C),
 * broadcast `limits` (`min` −20 °C, `max` 40 °C). In `initializeState` it appends what it
 * restored to the file `report` as one JSON line ({@link CalibrationReport}).
 *
 * Phases: phase 1 reads `perKey` records per key from the source `readings-1`; phase
 * `p > 1` restores the previous phase's sources and adds `readings-p`, one record per key.
 * With `idle=true` the newest source waits after its last record instead of ending, so
 * the job can be stopped with a savepoint.
 *
 * Parameters: phase (1), keys (12), perKey (20), idle (false), schema (1),
 * schema.<state>, report (file).
 */
import { appendFileSync } from 'node:fs';
import {
  AggregatingStateDescriptor,
  defineJob,
  KeyedProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  RichMapFunction,
  Sinks,
  ValueStateDescriptor,
} from 'eddy';
import type {
  AggregateFunction,
  CheckpointedFunction,
  Collector,
  FunctionInitializationContext,
  KeyedContext,
  RuntimeContext,
  StateDescriptorOptions,
} from 'eddy';
import { NumbersSource } from './lib/numbers-source.js';

export type Schema = '1' | '2' | '2-no-migrate' | '2-migrate-throws' | 'kind-changed';
const SCHEMAS: readonly Schema[] = ['1', '2', '2-no-migrate', '2-migrate-throws', 'kind-changed'];

/** The states of `temps`, then those of `calibration`. */
export const KEYED_STATES = ['min', 'history', 'bucketMax', 'max', 'mean'] as const;
export const OPERATOR_STATES = ['offsets', 'reference', 'limits'] as const;

/** A temperature as version 2 stores it. */
export interface Kelvin {
  readonly kelvin: number;
}
/** A temperature as stored: version 1 Celsius, version 2 {@link Kelvin}. */
export type Stored = number | Kelvin;

/** The accumulator of `mean` as its result shows it. */
export type MeanView = { readonly celsiusSum: number; readonly count: number } | { readonly kelvinSum: number; readonly count: number };

/** What `temps` found for a key on its first record. */
export interface SensorState {
  readonly key: string;
  readonly phase: number;
  readonly subtask: number;
  readonly parallelism: number;
  readonly min: unknown;
  readonly history: unknown;
  /** `[bucket, temperature]`, by bucket (the whole value state when its kind changed). */
  readonly bucketMax: unknown;
  readonly max: unknown;
  readonly mean: unknown;
}

export interface CalibrationReport {
  readonly phase: number;
  readonly subtask: number;
  readonly parallelism: number;
  readonly restored: boolean;
  readonly offsets: readonly unknown[];
  readonly reference: readonly unknown[];
  /** `[key, temperature]`, by key (the list when its kind changed). */
  readonly limits: readonly unknown[];
}

/** What `migrate` throws under schema `2-migrate-throws`. */
export const MIGRATE_FAILURE = 'this migrate always fails (schema 2-migrate-throws)';

/** Celsius → Kelvin, the conversion of every migration here. */
export function toKelvin(celsius: number): Kelvin {
  return { kelvin: celsius + 273.15 };
}

/** The migration of `mean`'s accumulator from version 1. */
export function migrateMean(old: readonly [number, number]): { kelvinSum: number; count: number } {
  return { kelvinSum: old[0] + 273.15 * old[1], count: old[1] };
}

/** The reading of record n, in whole degrees Celsius from −20 to 40. */
export function celsiusOf(n: number): number {
  return ((n * 37) % 61) - 20;
}

/** The bucket of record n for `keys` keys. */
export function bucketOf(n: number, keys: number): number {
  return Math.floor(n / keys) % 3;
}

const isVersion2 = (schema: Schema): boolean => schema.startsWith('2');

/** How a state of this schema stores a Celsius reading. */
function store(schema: Schema, celsius: number): Stored {
  return isVersion2(schema) ? toKelvin(celsius) : celsius;
}

function degrees(value: Stored): number {
  return typeof value === 'number' ? value : value.kelvin;
}

/** The descriptor options of a schema; `migrate` converts version-1 values. */
function optionsOf<T>(schema: Schema, migrate: (old: unknown) => T): StateDescriptorOptions<T> {
  switch (schema) {
    case '1':
    case 'kind-changed':
      return {};
    case '2':
      return { version: 2, migrate: (old, fromVersion) => (fromVersion === 1 ? migrate(old) : (old as T)) };
    case '2-no-migrate':
      return { version: 2 };
    case '2-migrate-throws':
      return {
        version: 2,
        migrate: () => {
          throw new Error(MIGRATE_FAILURE);
        },
      };
  }
}

const temperatureOptions = (schema: Schema): StateDescriptorOptions<Stored> => optionsOf<Stored>(schema, (old) => toKelvin(old as number));

/** One state as the functions use it, whatever its kind. */
interface Slot {
  add(celsius: number, bucket: number): void;
  view(): unknown;
}

/** Keyed states, or a value state holding the latest stored reading when the kind changed. */
function keyedSlot(ctx: RuntimeContext, name: (typeof KEYED_STATES)[number], schema: Schema): Slot {
  if (schema === 'kind-changed') {
    if (name === 'min') {
      const list = ctx.getListState(new ListStateDescriptor<number>(name));
      return { add: (c) => list.add(c), view: () => [...list.get()] };
    }
    const value = ctx.getState(new ValueStateDescriptor<number>(name));
    return { add: (c) => value.update(c), view: () => value.value() };
  }
  const options = temperatureOptions(schema);
  switch (name) {
    case 'min': {
      const min = ctx.getState(new ValueStateDescriptor<Stored>(name, options));
      return {
        add: (c) => {
          const seen = min.value();
          if (seen === undefined || degrees(store(schema, c)) < degrees(seen)) min.update(store(schema, c));
        },
        view: () => min.value(),
      };
    }
    case 'history': {
      const history = ctx.getListState(new ListStateDescriptor<Stored>(name, options));
      return { add: (c) => history.add(store(schema, c)), view: () => [...history.get()] };
    }
    case 'bucketMax': {
      const buckets = ctx.getMapState(new MapStateDescriptor<number, Stored>(name, options));
      return {
        add: (c, bucket) => {
          const seen = buckets.get(bucket);
          if (seen === undefined || degrees(store(schema, c)) > degrees(seen)) buckets.put(bucket, store(schema, c));
        },
        view: () => [...buckets.entries()].sort(([a], [b]) => a - b),
      };
    }
    case 'max': {
      const higher = (a: Stored, b: Stored): Stored => (degrees(a) >= degrees(b) ? a : b);
      const max = ctx.getReducingState(new ReducingStateDescriptor<Stored>(name, higher, options));
      return { add: (c) => max.add(store(schema, c)), view: () => max.get() };
    }
    case 'mean': {
      if (isVersion2(schema)) {
        const mean = ctx.getAggregatingState(
          new AggregatingStateDescriptor(name, KELVIN_MEAN, optionsOf(schema, (old) => migrateMean(old as [number, number]))),
        );
        return { add: (c) => mean.add(c), view: () => mean.get() };
      }
      const mean = ctx.getAggregatingState(new AggregatingStateDescriptor(name, CELSIUS_MEAN));
      return { add: (c) => mean.add(c), view: () => mean.get() };
    }
  }
}

const CELSIUS_MEAN: AggregateFunction<number, [number, number], MeanView> = {
  createAccumulator: () => [0, 0],
  add: (c, acc) => [acc[0] + c, acc[1] + 1],
  getResult: (acc) => ({ celsiusSum: acc[0], count: acc[1] }),
  merge: (a, b) => [a[0] + b[0], a[1] + b[1]],
};

const KELVIN_MEAN: AggregateFunction<number, { kelvinSum: number; count: number }, MeanView> = {
  createAccumulator: () => ({ kelvinSum: 0, count: 0 }),
  add: (c, acc) => ({ kelvinSum: acc.kelvinSum + toKelvin(c).kelvin, count: acc.count + 1 }),
  getResult: (acc) => ({ kelvinSum: acc.kelvinSum, count: acc.count }),
  merge: (a, b) => ({ kelvinSum: a.kelvinSum + b.kelvinSum, count: a.count + b.count }),
};

class Temps extends KeyedProcessFunction<string, number, SensorState> {
  private slots!: Record<(typeof KEYED_STATES)[number], Slot>;
  private ctx!: RuntimeContext;
  private readonly seen = new Set<string>();

  constructor(
    private readonly schemas: ReadonlyMap<string, Schema>,
    private readonly phase: number,
    private readonly keys: number,
  ) {
    super();
  }

  override open(ctx: RuntimeContext): void {
    this.ctx = ctx;
    const slot = (name: (typeof KEYED_STATES)[number]) => keyedSlot(ctx, name, this.schemas.get(name)!);
    this.slots = { min: slot('min'), history: slot('history'), bucketMax: slot('bucketMax'), max: slot('max'), mean: slot('mean') };
  }

  processElement(n: number, ctx: KeyedContext<string>, out: Collector<SensorState>): void {
    const key = ctx.getCurrentKey();
    if (!this.seen.has(key)) {
      this.seen.add(key);
      const s = this.slots;
      out.collect({
        key,
        phase: this.phase,
        subtask: this.ctx.getIndexOfThisSubtask(),
        parallelism: this.ctx.getNumberOfParallelSubtasks(),
        min: s.min.view(),
        history: s.history.view(),
        bucketMax: s.bucketMax.view(),
        max: s.max.view(),
        mean: s.mean.view(),
      });
    }
    for (const slot of Object.values(this.slots)) slot.add(celsiusOf(n), bucketOf(n, this.keys));
  }
}

/** Passes records through; keeps calibration points in operator state and reports what it restored. */
class Calibration extends RichMapFunction<number, number> implements CheckpointedFunction {
  constructor(
    private readonly schemas: ReadonlyMap<string, Schema>,
    private readonly phase: number,
    private readonly report: string | undefined,
  ) {
    super();
  }

  initializeState(ctx: FunctionInitializationContext): void {
    const rc = ctx.getRuntimeContext();
    const subtask = rc.getIndexOfThisSubtask();
    const states = ctx.getOperatorStateStore();
    const schema = (name: (typeof OPERATOR_STATES)[number]): Schema => this.schemas.get(name)!;

    const offsetsSchema = schema('offsets');
    const offsetsDescriptor = new ListStateDescriptor<Stored>('offsets', temperatureOptions(offsetsSchema));
    const offsets = offsetsSchema === 'kind-changed' ? states.getUnionListState(offsetsDescriptor) : states.getListState(offsetsDescriptor);

    const referenceSchema = schema('reference');
    const referenceDescriptor = new ListStateDescriptor<Stored>('reference', temperatureOptions(referenceSchema));
    const reference =
      referenceSchema === 'kind-changed' ? states.getListState(referenceDescriptor) : states.getUnionListState(referenceDescriptor);

    const limitsSchema = schema('limits');
    let limits: { put(key: string, c: number): void; view(): unknown[] };
    if (limitsSchema === 'kind-changed') {
      const list = states.getListState(new ListStateDescriptor<number>('limits'));
      limits = { put: (_key, c) => list.add(c), view: () => [...list.get()] };
    } else {
      const map = states.getBroadcastState(new MapStateDescriptor<string, Stored>('limits', temperatureOptions(limitsSchema)));
      limits = { put: (key, c) => map.put(key, store(limitsSchema, c)), view: () => [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1)) };
    }

    const restored = ctx.isRestored();
    if (this.report) {
      const line: CalibrationReport = {
        phase: this.phase,
        subtask,
        parallelism: rc.getNumberOfParallelSubtasks(),
        restored,
        offsets: [...offsets.get()],
        reference: [...reference.get()],
        limits: limits.view(),
      };
      appendFileSync(this.report, JSON.stringify(line) + '\n');
    }
    if (!restored) {
      for (let i = 0; i < 3; i++) offsets.add(store(offsetsSchema, 10 * subtask + i));
      reference.update([store(referenceSchema, 100 + subtask)]);
      limits.put('min', -20);
      limits.put('max', 40);
    }
  }

  snapshotState(): void {}

  map(n: number): number {
    return n;
  }
}

export default defineJob((env) => {
  const phase = Number(env.getParameter('phase', '1'));
  const keys = Number(env.getParameter('keys', '12'));
  const perKey = Number(env.getParameter('perKey', '20'));
  const idle = env.getParameter('idle', 'false') === 'true';
  const report = env.getParameter('report');
  const fallback = env.getParameter('schema', '1');
  const schemas = new Map<string, Schema>();
  for (const name of [...KEYED_STATES, ...OPERATOR_STATES]) {
    const schema = env.getParameter(`schema.${name}`, fallback) as Schema;
    if (!SCHEMAS.includes(schema)) throw new Error(`schema.${name}: unknown schema '${schema}'; use one of ${SCHEMAS.join(', ')}`);
    schemas.set(name, schema);
  }

  const phaseOneEnd = keys * perKey;
  let readings = env.fromSource(new NumbersSource(0, phaseOneEnd, 37, idle && phase === 1), 'readings-1').uid('readings-1');
  for (let p = 2; p <= phase; p++) {
    const from = phaseOneEnd + (p - 2) * keys;
    const added = env.fromSource(new NumbersSource(from, from + keys, 5, idle && p === phase), `readings-${p}`).uid(`readings-${p}`);
    readings = readings.union(added);
  }
  readings
    .rebalance()
    .map(new Calibration(schemas, phase, report))
    .uid('calibration')
    .keyBy((n) => `sensor-${n % keys}`)
    .process(new Temps(schemas, phase, keys))
    .uid('temps')
    .sinkTo(Sinks.collect<SensorState>('states'))
    .uid('sink');
});
