/**
 * Sends every record to the coordinator, where `JobResult.output(name)` returns them.
 * For tests and programmatic use; everything it receives is kept in memory.
 */
import type { Sink, SinkWriter, SinkWriterContext } from '../runtime/sink.js';

const CHUNK = 1024;

/** A sink whose records come back in the job's result. */
export class CollectSink<T> implements Sink<T> {
  readonly name: string;

  constructor(readonly collectName: string = 'collect') {
    this.name = `Collect(${collectName})`;
  }

  createWriter(ctx: SinkWriterContext): SinkWriter<T> {
    const channel = `collect:${this.collectName}`;
    let buffer: T[] = [];
    const send = () => {
      if (buffer.length === 0) return;
      ctx.emitToCoordinator(channel, buffer);
      buffer = [];
    };
    return {
      write(record) {
        buffer.push(record);
        if (buffer.length >= CHUNK) send();
      },
      flush: send,
      close: send,
    };
  }
}
