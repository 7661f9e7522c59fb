/**
 * Two sources in a union, read by two observers through the network: `active` emits
 * record i with timestamp i every few milliseconds, forever; `silent` never emits. Both
 * have monotonous timestamps and idleness, so the observer's watermark advances once the
 * silent source is marked idle. The observer appends what it sees to the file given as
 * `--set log=…`, so a test can watch the job on worker threads and then stop it.
 */
import { defineJob, Sinks, WatermarkStrategy } from 'eddy';
import { SilentSource, TimestampedCounter, observe } from './observe.js';

export default defineJob((env) => {
  const log = env.getParameter('log');
  const idleMs = Number(env.getParameter('idleMs', '50'));
  env.setAutoWatermarkInterval(10);
  const strategy = WatermarkStrategy.forMonotonousTimestamps<{ i: number }>().withIdleness(idleMs);
  const active = env.fromSource(new TimestampedCounter(undefined, 1, 2), 'Active', strategy).uid('active');
  const silent = env.fromSource(new SilentSource(), 'Silent', strategy).uid('silent');
  // two observers, so that on two slots one of them reads both sources from another thread
  observe(active.union(silent).rebalance(), { file: log, recordsToOutputOnly: true })
    .setParallelism(2)
    .uid('observe')
    .sinkTo(Sinks.collect('observed'))
    .uid('sink')
    .setParallelism(2);
});
