/**
 * Record timestamps end to end: a source gives record i the timestamp 10·i; a chained
 * operator re-stamps it explicitly (+1000), a flatMap emits two copies, which inherit
 * that timestamp; a second re-stamp (+1) emits each copy explicitly into a chained map,
 * so the flatMap's second copy must still carry the flatMap's own input timestamp; a
 * keyBy sends them to two observers, across threads when the job runs on two slots.
 */
import { defineJob, Sinks } from 'eddy';
import { RestampOperator, TimestampedCounter, observe, transform } from './observe.js';
import type { TransformFactory } from './observe.js';

const restamp = (shift: number) => (() => new RestampOperator(shift)) as unknown as TransformFactory;

export default defineJob((env) => {
  const records = Number(env.getParameter('records', '1000'));
  env.setParallelism(2);
  const counted = env.fromSource(new TimestampedCounter(records, 10), 'Counter');
  const duplicated = transform<{ i: number }>(counted, 'Restamp +1000', restamp(1000))
    .setParallelism(1)
    .flatMap((r: { i: number }, out) => {
      out.collect({ i: r.i, copy: 0 });
      out.collect({ i: r.i, copy: 1 });
    })
    .setParallelism(1);
  const copies = transform<{ i: number; copy: number }>(duplicated, 'Restamp +1', restamp(1))
    .setParallelism(1)
    .map((r) => r)
    .setParallelism(1);
  observe(copies.keyBy((r) => r.i % 97)).sinkTo(Sinks.collect('observed'));
});
