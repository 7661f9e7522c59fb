/**
 * What the window operator tests share: keyed records `[key, value]` and a few window
 * functions over them.
 */
import type { Collector } from '../../src/api/functions.js';
import { ProcessWindowFunction, type ProcessWindowContext } from '../../src/api/process-window-function.js';
import type { TimeWindow } from '../../src/api/windowing/index.js';
import type { AggregateFunction } from '../../src/state/state.js';

/** A keyed record: `[key, value]`. */
export type KV = [string, number];
export const byKey = (r: KV): string => r[0];
export const sumKV = (a: KV, b: KV): KV => [a[0], a[1] + b[1]];

export const CONTENTS = '_eddy/window/contents';
export const EVENT_TIMERS = '_eddy/timers/window-timers/event-time';
export const PROCESSING_TIMERS = '_eddy/timers/window-timers/processing-time';

/** Emits `key@start-end:values` for each firing. */
export class Describe extends ProcessWindowFunction<KV, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<KV>, out: Collector<string>): void {
    const w = ctx.window();
    out.collect(`${key}@${w.start}-${w.end}:${[...elements].map((e) => e[1]).join(',')}`);
  }
}

/** As {@link Describe}, values sorted (merged windows concatenate their contents in no set order). */
export class DescribeSorted extends ProcessWindowFunction<KV, string, string, TimeWindow> {
  process(key: string, ctx: ProcessWindowContext<TimeWindow>, elements: Iterable<KV>, out: Collector<string>): void {
    const w = ctx.window();
    out.collect(`${key}@${w.start}-${w.end}:${[...elements].map((e) => e[1]).sort((a, b) => a - b).join(',')}`);
  }
}

/** Average of the values, as Flink's examples. */
export const average: AggregateFunction<KV, [number, number], number> = {
  createAccumulator: () => [0, 0],
  add: (value, [sum, count]) => [sum + value[1], count + 1],
  getResult: ([sum, count]) => sum / count,
  merge: ([s1, c1], [s2, c2]) => [s1 + s2, c1 + c2],
};
