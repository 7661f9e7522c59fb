/**
 * Where the examples write: JSON lines under `out/<name>` (or `--set output=DIR`), or,
 * with `--set sink=collect`, back to the caller through `Sinks.collect(name)`, which is
 * how the tests read them.
 */
import { Sinks } from 'eddy';
import type { Sink, StreamExecutionEnvironment } from 'eddy';

export function exampleOutput<T>(env: StreamExecutionEnvironment, name: string): Sink<T> {
  return env.getParameter('sink') === 'collect'
    ? Sinks.collect<T>(name)
    : Sinks.jsonl<T>(env.getParameter('output', `out/${name}`));
}
