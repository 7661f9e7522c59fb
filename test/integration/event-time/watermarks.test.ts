/**
 * Watermarks in real jobs on the calling thread, with a ManualClock so that processing
 * time (periodic emission, idleness) moves only when the test moves it: a source's
 * strategy, a union whose second input is idle, assignTimestampsAndWatermarks replacing
 * upstream watermarks, and the end of event time at the end of input and on a drained
 * stop-with-savepoint, but not on a plain stop.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, defineJob, Sinks, startJob, WatermarkStrategy } from 'eddy';
import type { DataStream, StreamExecutionEnvironment } from 'eddy';
import { ManualClock } from 'eddy/testing';
import { ScriptedSource, observe } from './jobs/observe.js';
import type { Observation } from './jobs/observe.js';
import { strictlyIncreasing, TempDirs, until, watermarks } from './support.js';

type Event = { t: number; u?: number };
const dirs = new TempDirs();
afterAll(() => dirs.removeAll());

/** Starts a single-thread job on `clock` whose observer reports into the returned list, each with the clock's time. */
async function start(clock: ManualClock, build: (env: StreamExecutionEnvironment) => DataStream<unknown>) {
  const seen: (Observation & { at: number })[] = [];
  const job = defineJob((env) => {
    observe(build(env), { onObservation: (o) => seen.push({ ...o, at: clock.now() }) })
      .uid('observe')
      .sinkTo(Sinks.collect('observed'))
      .uid('sink');
  });
  const client = await startJob(job, { execution: 'single-thread', testing: { clock }, onWarning: () => {} });
  const records = () => seen.filter((o) => o.kind === 'record').length;
  return { seen, client, records };
}

describe('watermarks with a ManualClock', () => {
  it("come from a source's strategy every auto-watermark interval of processing time, and MAX_WATERMARK ends the input", async () => {
    const clock = new ManualClock(0);
    const source = new ScriptedSource<Event>();
    const { seen, client, records } = await start(clock, (env) => {
      env.setAutoWatermarkInterval(100);
      const strategy = WatermarkStrategy.forBoundedOutOfOrderness<Event>(50).withTimestampAssigner((e) => e.t);
      return env.fromSource(source, 'Scripted', strategy) as DataStream<unknown>;
    });
    source.push({ value: { t: 1000 } }, { value: { t: 1200 } }, { value: { t: 1100 }, timestamp: 5 });
    await until(() => records() === 3, 'three records arrived');
    expect(seen.map((o) => (o.kind === 'record' ? o.timestamp : o.kind))).toEqual([1000, 1200, 1100]);
    clock.advance(99);
    source.push({ value: { t: 1300 } });
    await until(() => records() === 4, 'the fourth record arrived');
    expect(watermarks(seen)).toEqual([]); // the periodic emission is due at 100
    clock.advance(1);
    await until(() => watermarks(seen).length === 1, 'a periodic watermark');
    expect(watermarks(seen)).toEqual([1300 - 50 - 1]);
    clock.advance(100); // nothing new: the same watermark is not emitted again
    source.push({ value: { t: 1500 } });
    await until(() => records() === 5, 'the fifth record arrived');
    clock.advance(100);
    await until(() => watermarks(seen).length === 2, 'a second periodic watermark');
    source.end();
    const result = await client.result;
    expect(result.status).toBe('finished');
    expect(watermarks(seen)).toEqual([1249, 1449, Infinity]);
    expect(seen.at(-1)!.kind).toBe('finish');
  });

  it('advance in a union while the other input is idle, and are held again once it is active and behind', async () => {
    const clock = new ManualClock(0);
    const a = new ScriptedSource<Event>();
    const b = new ScriptedSource<Event>();
    const { seen, client, records } = await start(clock, (env) => {
      env.setAutoWatermarkInterval(100);
      const strategy = WatermarkStrategy.forMonotonousTimestamps<Event>()
        .withTimestampAssigner((e) => e.t)
        .withIdleness(1000);
      const left = env.fromSource(a, 'A', strategy).uid('a');
      const right = env.fromSource(b, 'B', strategy).uid('b');
      return left.union(right).rebalance() as DataStream<unknown>; // through the network: the observer's task combines the two
    });
    // A gets a record every 100 ms, so it never becomes idle; B never has one
    let t = 0;
    const stepA = async () => {
      t += 100;
      const before = records();
      a.push({ value: { t } });
      await until(() => records() === before + 1, `A's record ${t}`);
      clock.advance(100);
    };
    for (let i = 0; i < 9; i++) await stepA();
    // B has been quiet for 900 ms: not idle yet, and its watermark (none) holds the union back
    expect(watermarks(seen)).toEqual([]);
    for (let i = 0; i < 4; i++) await stepA();
    await until(() => watermarks(seen).length > 0, 'a watermark once B is idle');
    expect(seen.find((o) => o.kind === 'watermark')!.at).toBeGreaterThanOrEqual(1000);

    // B becomes active again with a late record: from the moment its record is through, the watermark holds
    b.push({ value: { t: 50 } });
    await until(() => seen.some((o) => o.kind === 'record' && (o.value as Event).t === 50), "B's record");
    const heldFrom = seen.length;
    for (let i = 0; i < 5; i++) await stepA();
    expect(watermarks(seen.slice(heldFrom))).toEqual([]);

    // quiet again for long enough: idle again, and the watermark moves on
    for (let i = 0; i < 12; i++) await stepA();
    await until(() => watermarks(seen.slice(heldFrom)).length > 0, 'a watermark once B is idle again');

    a.end();
    b.end();
    expect((await client.result).status).toBe('finished');
    const all = watermarks(seen);
    expect(strictlyIncreasing(all)).toBe(true);
    expect(all.at(-1)).toBe(Infinity);
    // every finite watermark is A's highest timestamp - 1 at the time
    for (const w of all.slice(0, -1)) expect((w + 1) % 100).toBe(0);
    expect(seen.at(-1)!.kind).toBe('finish');
  });

  it('assignTimestampsAndWatermarks replaces timestamps and watermarks from upstream but passes on the end of event time', async () => {
    const clock = new ManualClock(0);
    const source = new ScriptedSource<Event>();
    const { seen, client, records } = await start(clock, (env) => {
      env.setAutoWatermarkInterval(100);
      const upstream = WatermarkStrategy.forMonotonousTimestamps<Event>().withTimestampAssigner((e) => e.t);
      return env
        .fromSource(source, 'Scripted', upstream)
        .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Event>(10).withTimestampAssigner((e, previous) => e.u! + (previous === e.t ? 0 : 1_000_000)))
        .uid('assign') as DataStream<unknown>;
    });
    source.push({ value: { t: 1000, u: 50 } }, { value: { t: 2000, u: 60 } });
    await until(() => records() === 2, 'two records');
    clock.advance(100);
    await until(() => watermarks(seen).length === 1, "the operator's watermark");
    source.end();
    expect((await client.result).status).toBe('finished');
    expect(seen.filter((o) => o.kind === 'record').map((o) => (o.kind === 'record' ? o.timestamp : undefined))).toEqual([50, 60]);
    expect(watermarks(seen)).toEqual([60 - 10 - 1, Infinity]); // never the source's 1999
  });
});

describe('the end of event time on stop-with-savepoint', () => {
  it.each([true, false])('reaches every operator when draining (drain: %s), and never on a plain stop', async (drain) => {
    const clock = new ManualClock(0);
    const source = new ScriptedSource<Event>();
    const { seen, client, records } = await start(clock, (env) => env.fromSource(source, 'Scripted').uid('source').rebalance() as DataStream<unknown>);
    source.push({ value: { t: 1 }, timestamp: 1 }, { value: { t: 2 }, timestamp: 2 });
    await until(() => records() === 2, 'two records');
    await client.stopWithSavepoint(join(dirs.make(), 'savepoints'), { drain });
    expect((await client.result).status).toBe('finished');
    if (drain) {
      expect(seen.filter((o) => o.kind !== 'record').map((o) => o.kind)).toEqual(['watermark', 'finish']);
      expect(watermarks(seen)).toEqual([Infinity]);
    } else {
      expect(seen.filter((o) => o.kind !== 'record')).toEqual([]); // no watermark, no finish
    }
  });
});

describe('the clock option', () => {
  it('is rejected on worker threads, with a hint to run single-threaded', async () => {
    const job = defineJob((env) => {
      env.fromCollection([1]).sinkTo(Sinks.collect());
    });
    await expect(startJob(job, { testing: { clock: new ManualClock() }, jobModule: import.meta.url })).rejects.toThrow(ConfigError);
    await expect(startJob(job, { testing: { clock: new ManualClock() }, execution: 'threads', jobModule: import.meta.url })).rejects.toThrow(/single-thread/);
  });
});
