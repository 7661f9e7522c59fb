/** Test job: a job module whose author forgot `default`, so it exports a named job only. */
import { defineJob, Sinks } from 'eddy';

export const job = defineJob((env) => {
  env.fromSequence(1, 10).sinkTo(Sinks.collect());
});
