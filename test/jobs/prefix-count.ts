/**
 * Test job: a keyed count over 40 prefixes of a bounded sequence (as Flink's
 * fault-tolerance suites do). Each record passes a FailingMap that can fail at a chosen
 * record; the keyed function emits the running count of its prefix, so the last count
 * per prefix is exact only if every record was counted exactly once.
 *
 * Parameters: records, prefixes (40), failAt (record of subtask 0 at which to fail, 0 = never),
 * failAttempts (comma-separated attempts, default 0), how (throw | exit-thread), failOnRestore.
 */
import { defineJob, Sinks } from 'eddy';
import { FailingMap } from 'eddy/testing';
import { CountPerPrefix } from './lib/count-per-prefix.js';
import type { PrefixCount } from './lib/count-per-prefix.js';
export type { PrefixCount } from './lib/count-per-prefix.js';


export default defineJob((env) => {
  const records = Number(env.getParameter('records', '100000'));
  const prefixes = Number(env.getParameter('prefixes', '40'));
  const failAt = Number(env.getParameter('failAt', '0'));
  const attempts = env.getParameter('failAttempts', '0').split(',').map(Number);
  const how = env.getParameter('how', 'throw') as 'throw' | 'exit-thread';
  const failOnRestore = env.getParameter('failOnRestore', 'false') === 'true';
  let stream = env.fromSequence(0, records - 1);
  if (failAt > 0 || failOnRestore) {
    stream = stream
      .map(new FailingMap<number>({ ...(failAt > 0 ? { failAtRecord: failAt } : {}), failOnRestore, attempts, how }))
      .uid('failing-map');
  }
  stream
    .keyBy((n) => `prefix-${n % prefixes}`)
    .process(new CountPerPrefix())
    .uid('count')
    .sinkTo(Sinks.collect<PrefixCount>('counts'))
    .uid('sink');
});
