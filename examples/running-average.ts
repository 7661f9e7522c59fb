/**
 * Running average per key: temperature sensors report readings, and after every reading
 * the job emits the sensor's average so far. The average lives in an AggregatingState
 * whose AggregateFunction keeps a {sum, count} accumulator, so the state stays two numbers
 * per sensor however many readings arrive.
 *
 * The readings come from one non-parallel source (like a single Kafka partition), so each
 * sensor's readings reach its keyed instance in order and the running values are the same
 * at every parallelism.
 *
 *   eddy run examples/running-average.ts --parallelism 4
 *   eddy run examples/running-average.ts --set output=out/running-average
 *   eddy run examples/running-average.ts --set sink=collect   (results in JobResult.output('running-average'))
 */
import { AggregatingStateDescriptor, defineJob, KeyedProcessFunction } from 'eddy';
import type { AggregateFunction, AggregatingState, Collector, KeyedContext, RuntimeContext } from 'eddy';
import { exampleOutput } from './lib/example-output.js';

export type Reading = { sensor: string; celsius: number };
export type SensorAverage = { sensor: string; count: number; average: number };
type SumCount = { sum: number; count: number };

export const READINGS = 50_000;
export const SENSORS = 40;

/**
 * Reading `n`: sensors take turns in a scrambled order; each sensor has its own base
 * temperature and a deterministic wobble of ±2.5 °C, rounded to 0.1 °C as a sensor would.
 */
export function reading(n: number): Reading {
  const s = (n * 13 + Math.floor(n / SENSORS)) % SENSORS;
  const base = 15 + (s % 10);
  const wobble = (((n * 2654435761) >>> 0) % 51) / 10 - 2.5;
  return { sensor: `sensor-${String(s).padStart(2, '0')}`, celsius: Math.round((base + wobble) * 10) / 10 };
}

/**
 * Flink's AggregateFunction: `add` folds a reading into the {sum, count} accumulator,
 * `getResult` turns it into what the state's `get()` returns, `merge` joins two
 * accumulators (used when partial aggregates are combined).
 */
const averageOf: AggregateFunction<number, SumCount, Omit<SensorAverage, 'sensor'>> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (celsius, acc) => ({ sum: acc.sum + celsius, count: acc.count + 1 }),
  getResult: (acc) => ({ count: acc.count, average: acc.sum / acc.count }),
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

class RunningAverage extends KeyedProcessFunction<string, Reading, SensorAverage> {
  private average!: AggregatingState<number, Omit<SensorAverage, 'sensor'>>;

  override open(ctx: RuntimeContext): void {
    this.average = ctx.getAggregatingState(new AggregatingStateDescriptor('average', averageOf));
  }

  processElement(r: Reading, ctx: KeyedContext<string>, out: Collector<SensorAverage>): void {
    this.average.add(r.celsius);
    out.collect({ sensor: ctx.getCurrentKey(), ...this.average.get()! });
  }
}

export default defineJob((env) => {
  env
    .fromCollection(Array.from({ length: READINGS }, (_, n) => reading(n)))
    .keyBy((r) => r.sensor)
    .process(new RunningAverage())
    .uid('running-average')
    .sinkTo(exampleOutput(env, 'running-average'))
    .name('averages');
});
