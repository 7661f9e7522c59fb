/**
 * Per-sensor one-minute averages in event time: readings arrive up to ten seconds out of
 * order; a tumbling event-time window of one minute per sensor averages them
 * incrementally (an AggregateFunction keeps only a sum and a count per window), and a
 * ProcessWindowFunction adds the sensor and the window's bounds to the result. A window
 * is emitted once the watermark (bounded out-of-orderness of 10 s) passes its end.
 *
 *   eddy run examples/sensor-averages.ts --parallelism 4
 *   eddy run examples/sensor-averages.ts --set sink=collect   (results in JobResult.output('sensor-averages'))
 */
import { defineJob, TumblingEventTimeWindows, WatermarkStrategy } from 'eddy';
import type { AggregateFunction, Collector, ProcessWindowContext, TimeWindow } from 'eddy';
import { exampleOutput } from './lib/example-output.js';
import { mix } from './lib/mix.js';

export interface Reading {
  readonly sensor: string;
  /** Degrees Celsius, in tenths. */
  readonly value: number;
  readonly time: number;
}

export interface MinuteAverage {
  readonly sensor: string;
  /** Window start (inclusive) and end (exclusive), ms. */
  readonly start: number;
  readonly end: number;
  readonly readings: number;
  readonly average: number;
}

export const READINGS = 60_000;
export const SENSORS = 50;
export const MINUTE = 60_000;
export const OUT_OF_ORDERNESS_MS = 10_000;

/** Reading `n`: one every 50 ms from a scrambled sensor, shifted by up to 10 s. */
export function reading(n: number): Reading {
  return { sensor: `sensor-${mix(n, 1) % SENSORS}`, value: 150 + (mix(n, 2) % 200), time: n * 50 + (mix(n, 3) % OUT_OF_ORDERNESS_MS) };
}

interface SumCount {
  sum: number;
  count: number;
}

/** The incremental part: a sum and a count per window. */
export const averageOf: AggregateFunction<Reading, SumCount, SumCount> = {
  createAccumulator: () => ({ sum: 0, count: 0 }),
  add: (r, acc) => ({ sum: acc.sum + r.value, count: acc.count + 1 }),
  getResult: (acc) => acc,
  merge: (a, b) => ({ sum: a.sum + b.sum, count: a.count + b.count }),
};

function describeWindow(sensor: string, ctx: ProcessWindowContext<TimeWindow>, results: Iterable<SumCount>, out: Collector<MinuteAverage>): void {
  for (const { sum, count } of results) {
    const { start, end } = ctx.window();
    out.collect({ sensor, start, end, readings: count, average: Math.round((sum / count) * 100) / 100 });
  }
}

export default defineJob((env) => {
  env
    .fromCollection(Array.from({ length: READINGS }, (_, n) => reading(n)))
    .assignTimestampsAndWatermarks(
      WatermarkStrategy.forBoundedOutOfOrderness<Reading>(OUT_OF_ORDERNESS_MS).withTimestampAssigner((r) => r.time),
    )
    .keyBy((r) => r.sensor)
    .window(TumblingEventTimeWindows.of(MINUTE))
    .aggregate(averageOf, describeWindow)
    .uid('minute-averages')
    .sinkTo(exampleOutput(env, 'sensor-averages'))
    .name('averages');
});
