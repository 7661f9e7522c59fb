/**
 * Jobs that fail in chosen ways, for the failure tests in both execution modes. The
 * parameter `case` picks the failure; `at` is the record value that triggers it.
 */
import { isMainThread } from 'node:worker_threads';
import { RichMapFunction, Sinks, defineJob } from 'eddy';
import type { Sink, SinkWriter, Source, SourceOutput, SourceReader } from 'eddy';

/** Emits 0..count-1, then stays idle forever: the job can only end by failing. */
class EndlessSource implements Source<number> {
  readonly boundedness = 'unbounded' as const;
  constructor(private readonly count: number) {}
  createReader(): SourceReader<number> {
    let next = 0;
    const count = this.count;
    return {
      poll(out: SourceOutput<number>, max: number) {
        for (let i = 0; i < max && next < count; i++) out.collect(next++);
        return next < count ? 'more' : 'idle';
      },
    };
  }
}

/** Throws on the cursed record; named so the stack shows it. */
function curse(at: number) {
  return function cursedMap(n: number): number {
    if (n === at) throw new RangeError(`record ${n} is cursed`);
    return n;
  };
}

class FailingOpen extends RichMapFunction<number, number> {
  override open(): void {
    throw new Error('cannot open the pod bay doors');
  }
  map(n: number): number {
    return n;
  }
}

class FailingClose extends RichMapFunction<number, number> {
  override close(): void {
    throw new Error('close failed');
  }
  map(n: number): number {
    return n;
  }
}

/** A sink whose write or end-of-input flush throws. */
class BrokenSink implements Sink<number> {
  constructor(private readonly where: 'write' | 'flush') {}
  createWriter(): SinkWriter<number> {
    const where = this.where;
    return {
      write(n) {
        if (where === 'write' && n === 7) throw new Error('disk on fire');
      },
      flush(endOfInput) {
        if (where === 'flush' && endOfInput) throw new Error('flush on fire');
      },
    };
  }
}

export default defineJob((env) => {
  const kind = env.getParameter('case', 'none');
  const at = Number(env.getParameter('at', '150'));
  env.setParallelism(3);
  const numbers = () => env.fromSequence(0, 299);
  switch (kind) {
    case 'throw-at':
      numbers().map(curse(at)).uid('boom').sinkTo(Sinks.collect('out'));
      break;
    case 'throw-string':
      numbers()
        .map((n) => {
          if (n === at) throw 'a plain string';
          return n;
        })
        .uid('stringly')
        .sinkTo(Sinks.collect('out'));
      break;
    case 'open-head':
      // after rebalance the failing map heads its own chain
      numbers().rebalance().map(new FailingOpen()).uid('opener').sinkTo(Sinks.collect('out'));
      break;
    case 'open-chained':
      // chained behind the source: the task's head is the source
      numbers().map(new FailingOpen()).uid('opener').sinkTo(Sinks.collect('out'));
      break;
    case 'close-chained':
      numbers().map(new FailingClose()).uid('closer').sinkTo(Sinks.collect('out'));
      break;
    case 'sink-write':
      numbers().sinkTo(new BrokenSink('write')).uid('bad-sink');
      break;
    case 'sink-flush':
      numbers().sinkTo(new BrokenSink('flush')).uid('bad-flush');
      break;
    case 'bad-key':
      numbers()
        .keyBy((n) => ({ n }) as unknown as string)
        .map((n) => n)
        .uid('keyed')
        .sinkTo(Sinks.collect('out'));
      break;
    case 'exit':
      numbers()
        .map((n) => {
          // in a worker thread, process.exit ends only that thread
          if (n === at && !isMainThread) process.exit(3);
          return n;
        })
        .uid('quitter')
        .sinkTo(Sinks.collect('out'));
      break;
    case 'timer-throw':
      env
        .fromSource(new EndlessSource(300), 'endless')
        .map((n) => {
          if (n === at && !isMainThread) {
            setTimeout(() => {
              throw new Error('thrown from a timer');
            }, 0);
          }
          return n;
        })
        .uid('timer')
        .rebalance()
        .map((n) => n)
        .sinkTo(Sinks.collect('out'));
      break;
    default:
      numbers().sinkTo(Sinks.collect('out'));
  }
});
