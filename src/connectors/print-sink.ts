/**
 * Prints every record to standard output, one per line: strings as they are, everything
 * else as JSON. With parallelism above 1 each line starts with the subtask number, as
 * Flink's print() does (`2> {"word":"a"}`).
 */
import type { Sink, SinkWriter, SinkWriterContext } from '../runtime/sink.js';
import { toJsonLine } from './json-line.js';

/** A sink that prints records. */
export class PrintSink<T> implements Sink<T> {
  readonly name = 'Print';

  constructor(private readonly prefix: string = '') {}

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const tag = ctx.parallelism > 1 ? `${this.prefix}${ctx.subtaskIndex + 1}> ` : this.prefix ? `${this.prefix}> ` : '';
    let lines: string[] = [];
    const flush = () => {
      if (lines.length === 0) return;
      process.stdout.write(lines.join('\n') + '\n');
      lines = [];
    };
    return {
      write(record) {
        lines.push(tag + (typeof record === 'string' ? record : toJsonLine(record)));
        if (lines.length >= 256) flush();
      },
      flush,
      close: flush,
    };
  }
}
