/**
 * Test job: keys by an object, which cannot be a key (objects have no canonical bytes).
 * TypeScript rejects it at compile time; this job stands for a JavaScript user, or a cast.
 */
import { defineJob, Sinks } from 'eddy';

export default defineJob((env) => {
  env
    .fromSequence(1, 100)
    .map((n) => ({ user: `u${n % 10}`, n }))
    .uid('to-clicks')
    // @ts-expect-error -- an object is not a Key; the runtime must reject it with a clear message
    .keyBy((click) => ({ user: click.user }))
    .reduce((a, b) => ({ user: a.user, n: a.n + b.n }))
    .uid('sum-per-user')
    .sinkTo(Sinks.collect());
});
