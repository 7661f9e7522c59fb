/** The built-in sinks, as one namespace: `Sinks.print()`, `Sinks.jsonl(dir)`, `Sinks.collect(name)`. */
import type { Sink } from '../runtime/sink.js';
import { CollectSink } from './collect-sink.js';
import { JsonlSink } from './jsonl-sink.js';
import type { JsonlSinkOptions } from './jsonl-sink.js';
import { PrintSink } from './print-sink.js';

export const Sinks = {
  /** Prints each record to standard output (JSON unless it is a string). */
  print<T>(prefix?: string): Sink<T> {
    return new PrintSink<T>(prefix);
  },
  /** Writes JSON lines into part files under `directory`, committed when the input ends. */
  jsonl<T>(directory: string, options?: JsonlSinkOptions): Sink<T> {
    return new JsonlSink<T>(directory, options);
  },
  /** Sends records back to the caller: read them with `result.output(name)`. */
  collect<T>(name = 'collect'): Sink<T> {
    return new CollectSink<T>(name);
  },
} as const;
