/** A job module that loads on the calling thread but throws when a worker thread imports it. */
import { isMainThread } from 'node:worker_threads';
import { Sinks, defineJob } from 'eddy';

if (!isMainThread) throw new Error('this module refuses to load in a worker');

export default defineJob((env) => {
  env.fromSequence(1, 10).sinkTo(Sinks.collect('out'));
});
