/** Benchmark job (a): a chained stateless pipeline, source → map → filter → map → sink, all in one task. */
import { defineJob } from 'eddy';
import { CountingSink } from './counting-sink.js';

export default defineJob((env) => {
  const n = Number(env.getParameter('records', '10000000'));
  env
    .fromSequence(1, n)
    .map((x) => x * 2)
    .filter((x) => x % 3 !== 0)
    .map((x) => ({ value: x, even: (x & 1) === 0 }))
    .sinkTo(new CountingSink());
});
