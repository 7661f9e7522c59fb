/**
 * Benchmark job: windowed aggregation in event time. Record n (1..records) has key
 * `n % keys` and timestamp n (one record per ms), watermarks with 1 s of
 * out-of-orderness. `kind` picks the windows:
 * - `tumbling`: tumbling 10 s windows, summed incrementally (reduce);
 * - `sliding`: sliding windows of 10 s every 1 s (each record in 10 windows), reduce;
 * - `session`: session windows with a 500 ms gap over keys active in turns (each key
 *   is active for 2 s out of every 10 s), evaluated with a full process function.
 */
import { defineJob, EventTimeSessionWindows, SlidingEventTimeWindows, TumblingEventTimeWindows, WatermarkStrategy } from 'eddy';
import type { Collector, ProcessWindowContext, TimeWindow } from 'eddy';
import { CountingSink } from './counting-sink.js';

interface Event {
  readonly key: number;
  readonly value: number;
  readonly time: number;
}

function sessionSummary(key: number, ctx: ProcessWindowContext<TimeWindow>, events: Iterable<Event>, out: Collector<Event>): void {
  let value = 0;
  for (const e of events) value += e.value;
  out.collect({ key, value, time: ctx.window().end });
}

export default defineJob((env) => {
  const records = Number(env.getParameter('records', '2000000'));
  const keys = Number(env.getParameter('keys', '1000'));
  const kind = env.getParameter('kind', 'tumbling');
  const events = env
    .fromSequence(1, records)
    .map((n): Event => {
      // session: 1/5 of the keys are active in each 2 s slice, in turns
      const key = kind === 'session' ? (n % (keys / 5)) + (keys / 5) * (Math.floor(n / 2000) % 5) : n % keys;
      return { key, value: 1, time: n };
    })
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Event>(1000).withTimestampAssigner((e) => e.time))
    .keyBy((e) => e.key);
  const sum = (a: Event, b: Event): Event => ({ key: a.key, value: a.value + b.value, time: b.time });
  const windowed =
    kind === 'sliding'
      ? events.window(SlidingEventTimeWindows.of(10_000, 1_000)).reduce(sum)
      : kind === 'session'
        ? events.window(EventTimeSessionWindows.withGap(500)).process(sessionSummary)
        : events.window(TumblingEventTimeWindows.of(10_000)).reduce(sum);
  windowed.uid('windows').sinkTo(new CountingSink());
});
