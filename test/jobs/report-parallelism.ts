/**
 * Emits what `env.getParallelism()` says while the job is built: `parallelism <n>`, to
 * the collected output `parallelism` (or stdout with `--set sink=print`). With
 * `--set job-parallelism=<n>` the job first sets its own default.
 */
import { defineJob, Sinks } from 'eddy';

export default defineJob((env) => {
  const own = env.getParameter('job-parallelism', '');
  if (own !== '') env.setParallelism(Number(own));
  const line = `parallelism ${env.getParallelism()}`;
  env
    .fromCollection([line])
    .sinkTo(env.getParameter('sink', 'collect') === 'print' ? Sinks.print<string>() : Sinks.collect<string>('parallelism'));
});
