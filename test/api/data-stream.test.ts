/**
 * The DataStream / KeyedStream API end to end, on the single-threaded runner (every task
 * on the calling thread, so tests can observe user functions through shared variables).
 */
import { describe, expect, it } from 'vitest';
import {
  JobDefinitionError,
  KeyedProcessFunction,
  ListStateDescriptor,
  MapStateDescriptor,
  ProcessFunction,
  RichFilterFunction,
  RichFlatMapFunction,
  RichMapFunction,
  Sinks,
  TaskFailureError,
  ValueStateDescriptor,
  defineJob,
  runJob,
} from '../../src/index.js';
import type {
  CheckpointedFunction,
  Collector,
  FunctionInitializationContext,
  JobResult,
  KeyedContext,
  ListState,
  ProcessContext,
  RunOptions,
  RuntimeContext,
  StreamExecutionEnvironment,
  ValueState,
} from '../../src/index.js';

/** Runs what `build` defines on the calling thread. */
function run(build: (env: StreamExecutionEnvironment) => void, options: RunOptions = {}): Promise<JobResult> {
  return runJob(defineJob(build), { execution: 'single-thread', ...options });
}

const ascending = (a: number, b: number) => a - b;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('map, filter and flatMap', () => {
  it('apply plain functions', async () => {
    const result = await run((env) => {
      env
        .fromSequence(1, 10)
        .map((n) => n * 10)
        .filter((n) => n % 20 === 0)
        .flatMap((n) => [n, n + 1])
        .sinkTo(Sinks.collect('out'));
    });
    expect(result.output<number>('out')).toEqual([20, 21, 40, 41, 60, 61, 80, 81, 100, 101]);
  });

  it('apply Rich* function classes, with open() before the first record', async () => {
    class Scale extends RichMapFunction<number, number> {
      private factor = 0;
      override open(ctx: RuntimeContext): void {
        this.factor = Number(ctx.getParameter('factor'));
      }
      map(n: number): number {
        return n * this.factor;
      }
    }
    class Odd extends RichFilterFunction<number> {
      filter(n: number): boolean {
        return n % 2 === 1;
      }
    }
    class Repeat extends RichFlatMapFunction<number, string> {
      flatMap(n: number, out: Collector<string>): void {
        for (let i = 0; i < n % 4; i++) out.collect(`${n}#${i}`);
      }
    }
    const result = await run(
      (env) => {
        env.fromSequence(1, 5).map(new Scale()).filter(new Odd()).flatMap(new Repeat()).sinkTo(Sinks.collect('out'));
      },
      { parameters: { factor: '3' } },
    );
    // 3, 9, 15 survive the filter; they repeat 3, 1 and 3 times
    expect(result.output('out')).toEqual(['3#0', '3#1', '3#2', '9#0', '15#0', '15#1', '15#2']);
  });

  it('accept object literals with the method as functions', async () => {
    const result = await run((env) => {
      env
        .fromSequence(1, 4)
        .map({ map: (n: number) => n + 1 })
        .filter({ filter: (n: number) => n !== 3 })
        .flatMap({ flatMap: (n: number) => [n, -n] })
        .sinkTo(Sinks.collect('out'));
    });
    expect(result.output('out')).toEqual([2, -2, 4, -4, 5, -5]);
  });

  it('flatMap emits what a function returns as any iterable, and what it pushes into the collector', async () => {
    const result = await run((env) => {
      const s = env.fromSequence(1, 3);
      s.flatMap((n) => new Set([n, n])).sinkTo(Sinks.collect('set'));
      s.flatMap(function* (n) {
        for (let i = 0; i < n; i++) yield n;
      }).sinkTo(Sinks.collect('generator'));
      s.flatMap((n, out) => {
        if (n !== 2) out.collect(n * 100);
      }).sinkTo(Sinks.collect('collector'));
      s.flatMap((n, out) => {
        out.collect(-n);
        return [n];
      }).sinkTo(Sinks.collect('both'));
    });
    expect(result.output('set')).toEqual([1, 2, 3]);
    expect(result.output('generator')).toEqual([1, 2, 2, 3, 3, 3]);
    expect(result.output('collector')).toEqual([100, 300]);
    expect(result.output('both')).toEqual([-1, 1, -2, 2, -3, 3]);
  });
});

describe('process functions', () => {
  it('runs a ProcessFunction with a context and a collector', async () => {
    class Explode extends ProcessFunction<string, { word: string; timestamp: number | undefined }> {
      processElement(line: string, ctx: ProcessContext, out: Collector<{ word: string; timestamp: number | undefined }>): void {
        for (const word of line.split(' ')) if (word) out.collect({ word, timestamp: ctx.timestamp() });
      }
    }
    const result = await run((env) => {
      env.fromCollection(['a b', '', 'c']).process(new Explode()).sinkTo(Sinks.collect('out'));
    });
    expect(result.output('out')).toEqual([
      { word: 'a', timestamp: undefined },
      { word: 'b', timestamp: undefined },
      { word: 'c', timestamp: undefined },
    ]);
  });

  it('runs a KeyedProcessFunction with keyed state scoped to the current key', async () => {
    class CountPerKey extends KeyedProcessFunction<string, string, [string, number]> {
      private count!: ValueState<number>;
      override open(ctx: RuntimeContext): void {
        this.count = ctx.getState(new ValueStateDescriptor<number>('count'));
      }
      processElement(word: string, ctx: KeyedContext<string>, out: Collector<[string, number]>): void {
        const n = (this.count.value() ?? 0) + 1;
        this.count.update(n);
        out.collect([ctx.getCurrentKey(), n]);
      }
    }
    const words = ['x', 'y', 'x', 'z', 'x', 'y'];
    const result = await run(
      (env) => {
        env
          .fromCollection(words)
          .keyBy((w) => w)
          .process(new CountPerKey())
          .sinkTo(Sinks.collect('out'));
      },
      { parallelism: 3 },
    );
    const out = result.output<[string, number]>('out');
    for (const key of ['x', 'y', 'z']) {
      expect(out.filter(([k]) => k === key).map(([, n]) => n)).toEqual(range(1, words.filter((w) => w === key).length));
    }
  });
});

describe('partitioning', () => {
  it('union merges every record of every input', async () => {
    const result = await run((env) => {
      const a = env.fromSequence(1, 5);
      const b = env.fromSequence(100, 102);
      const c = env.fromCollection([-1, -2]);
      a.union(b, c).map((n) => n).sinkTo(Sinks.collect('out'));
    }, { parallelism: 2 });
    expect(result.output<number>('out').sort(ascending)).toEqual([-2, -1, 1, 2, 3, 4, 5, 100, 101, 102]);
  });

  /** Tags each record with the subtask that saw it. */
  class TagSubtask<T> extends RichMapFunction<T, [T, number]> {
    private index = -1;
    override open(ctx: RuntimeContext): void {
      this.index = ctx.getIndexOfThisSubtask();
    }
    map(value: T): [T, number] {
      return [value, this.index];
    }
  }

  it('rebalance deals records round-robin over the next operator', async () => {
    const result = await run((env) => {
      env.fromSequence(0, 99).rebalance().map(new TagSubtask<number>()).setParallelism(4).sinkTo(Sinks.collect('out'));
    });
    const out = result.output<[number, number]>('out');
    expect(out).toHaveLength(100);
    for (const [n, subtask] of out) expect(subtask).toBe(n % 4);
  });

  it('broadcast delivers every record to every instance of the next operator', async () => {
    const result = await run((env) => {
      env.fromSequence(1, 5).broadcast().map(new TagSubtask<number>()).setParallelism(3).sinkTo(Sinks.collect('out'));
    });
    const out = result.output<[number, number]>('out');
    expect(out).toHaveLength(15);
    for (const n of range(1, 5)) {
      expect(out.filter(([v]) => v === n).map(([, s]) => s).sort(ascending)).toEqual([0, 1, 2]);
    }
  });

  it('global sends every record to the first instance', async () => {
    const result = await run((env) => {
      env.setParallelism(3);
      env.fromSequence(1, 30).global().map(new TagSubtask<number>()).sinkTo(Sinks.collect('out'));
    });
    const out = result.output<[number, number]>('out');
    expect(out.map(([v]) => v).sort(ascending)).toEqual(range(1, 30));
    expect(new Set(out.map(([, s]) => s))).toEqual(new Set([0]));
  });

  it('rescale sends each producer only to its own group of consumers', async () => {
    const result = await run((env) => {
      env.setParallelism(2);
      env
        .fromSequence(0, 99) // subtask 0: 0..49, subtask 1: 50..99
        .rescale()
        .map(new TagSubtask<number>())
        .setParallelism(4)
        .sinkTo(Sinks.collect('out'));
    });
    for (const [n, subtask] of result.output<[number, number]>('out')) {
      expect(n < 50 ? [0, 1] : [2, 3]).toContain(subtask);
    }
  });

  it('keeps the order of a non-parallel collection through forward edges', async () => {
    const items = Array.from({ length: 3000 }, (_, i) => `item-${i}`);
    const result = await run((env) => {
      env.fromCollection(items).map((s) => s).sinkTo(Sinks.collect('out'));
    });
    expect(result.output('out')).toEqual(items);
  });
});

describe('keyed aggregations', () => {
  type Row = { k: string; v: number; tag: string };
  /** Deterministic rows with repeated values (ties) across a few keys. */
  const rows: Row[] = Array.from({ length: 240 }, (_, i) => ({ k: `key${(i * 7) % 5}`, v: ((i * 37) % 11) - 5, tag: `r${i}` }));
  const tuples: [string, number, string][] = rows.map((r) => [r.k, r.v, r.tag]);

  /** Per key, the rolling outputs a reduce-style aggregation emits after each record. */
  function reference<T>(records: T[], key: (r: T) => string, step: (acc: T, r: T) => T): Map<string, T[]> {
    const acc = new Map<string, T>();
    const out = new Map<string, T[]>();
    for (const r of records) {
      const k = key(r);
      const prev = acc.get(k);
      const next = prev === undefined ? r : step(prev, r);
      acc.set(k, next);
      out.set(k, [...(out.get(k) ?? []), next]);
    }
    return out;
  }

  function groupBy<T>(records: T[], key: (r: T) => string): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const r of records) out.set(key(r), [...(out.get(key(r)) ?? []), r]);
    return out;
  }

  const field = {
    sum: (a: number, b: number) => a + b,
    min: Math.min,
    max: Math.max,
  };

  it.each(['sum', 'min', 'max'] as const)('%s on an object field keeps the first record of each key with a rolling value', async (agg) => {
    const result = await run(
      (env) => {
        env.fromCollection(rows).keyBy((r) => r.k)[agg]('v').sinkTo(Sinks.collect('out'));
      },
      { parallelism: 3 },
    );
    const expected = reference(rows, (r) => r.k, (acc, r) => ({ ...acc, v: field[agg](acc.v, r.v) }));
    expect(groupBy(result.output<Row>('out'), (r) => r.k)).toEqual(expected);
  });

  it.each(['sum', 'min', 'max'] as const)('%s on a tuple position keeps the other positions of the first record', async (agg) => {
    const result = await run(
      (env) => {
        env.fromCollection(tuples).keyBy((t) => t[0])[agg](1).sinkTo(Sinks.collect('out'));
      },
      { parallelism: 3 },
    );
    const expected = reference(tuples, (t) => t[0], (acc, t): [string, number, string] => [acc[0], field[agg](acc[1], t[1]), acc[2]]);
    expect(groupBy(result.output<[string, number, string]>('out'), (t) => t[0])).toEqual(expected);
  });

  it.each(['minBy', 'maxBy'] as const)('%s emits the whole record with the extreme value so far, the first one on ties', async (agg) => {
    const better = agg === 'minBy' ? (b: number, a: number) => b < a : (b: number, a: number) => b > a;
    const result = await run(
      (env) => {
        const keyed = env.fromCollection(rows).keyBy((r) => r.k);
        keyed[agg]('v').sinkTo(Sinks.collect('objects'));
        env.fromCollection(tuples).keyBy((t) => t[0])[agg](1).sinkTo(Sinks.collect('tuples'));
      },
      { parallelism: 2 },
    );
    expect(groupBy(result.output<Row>('objects'), (r) => r.k)).toEqual(reference(rows, (r) => r.k, (a, b) => (better(b.v, a.v) ? b : a)));
    expect(groupBy(result.output<[string, number, string]>('tuples'), (t) => t[0])).toEqual(
      reference(tuples, (t) => t[0], (a, b) => (better(b[1], a[1]) ? b : a)),
    );
  });

  it('reduce emits the rolling reduction per key, with function and object forms', async () => {
    const result = await run(
      (env) => {
        const keyed = env.fromCollection(rows).keyBy((r) => r.k);
        keyed.reduce((a, b) => ({ k: a.k, v: a.v * 2 + b.v, tag: `${a.tag}+${b.tag}` })).sinkTo(Sinks.collect('fn'));
        keyed.reduce({ reduce: (a: Row, b: Row) => ({ ...b, v: a.v - b.v }) }).sinkTo(Sinks.collect('obj'));
      },
      { parallelism: 4 },
    );
    expect(groupBy(result.output<Row>('fn'), (r) => r.k)).toEqual(
      reference(rows, (r) => r.k, (a, b) => ({ k: a.k, v: a.v * 2 + b.v, tag: `${a.tag}+${b.tag}` })),
    );
    expect(groupBy(result.output<Row>('obj'), (r) => r.k)).toEqual(reference(rows, (r) => r.k, (a, b) => ({ ...b, v: a.v - b.v })));
  });

  it('keeps an aggregation per key with tuple keys', async () => {
    const data: [number, boolean, number][] = Array.from({ length: 60 }, (_, i) => [i % 3, i % 2 === 0, i]);
    const result = await run(
      (env) => {
        env.fromCollection(data).keyBy((t) => [t[0], t[1]] as [number, boolean]).sum(2).sinkTo(Sinks.collect('out'));
      },
      { parallelism: 2 },
    );
    const key = (t: [number, boolean, number]) => `${t[0]}:${t[1]}`;
    expect(groupBy(result.output<[number, boolean, number]>('out'), key)).toEqual(
      reference(data, key, (a, b): [number, boolean, number] => [a[0], a[1], a[2] + b[2]]),
    );
  });
});

describe('job definition', () => {
  it('rejects two operators with the same uid with a JobDefinitionError', async () => {
    const attempt = run((env) => {
      env.fromSequence(1, 2).map((n) => n).uid('twice').map((n) => n).uid('twice').sinkTo(Sinks.collect('out'));
    });
    await expect(attempt).rejects.toBeInstanceOf(JobDefinitionError);
    await expect(attempt).rejects.toThrow(/uid 'twice' is used by two operators/);
  });

  it('rejects a duplicate uid between an operator and a sink', async () => {
    const attempt = run((env) => {
      env.fromSequence(1, 2).map((n) => n).uid('same').sinkTo(Sinks.collect('out')).uid('same');
    });
    await expect(attempt).rejects.toBeInstanceOf(JobDefinitionError);
  });

  it('rejects uid() on a stream that has no operator of its own', async () => {
    const attempt = run((env) => {
      env.fromSequence(1, 2).rebalance().uid('nope').sinkTo(Sinks.collect('out'));
    });
    await expect(attempt).rejects.toBeInstanceOf(JobDefinitionError);
    await expect(attempt).rejects.toThrow(/uid\(\) applies to an operator/);
  });

  it('rejects a parallelism that is not a positive integer', async () => {
    const attempt = run((env) => {
      env.fromSequence(1, 2).map((n) => n).setParallelism(0);
    });
    await expect(attempt).rejects.toBeInstanceOf(JobDefinitionError);
    await expect(attempt).rejects.toThrow(/setParallelism\(0\)/);
  });

  it('runs an operator with the parallelism set on it', async () => {
    const seen = new Set<string>();
    class Who extends RichMapFunction<number, number> {
      override open(ctx: RuntimeContext): void {
        seen.add(`${ctx.getIndexOfThisSubtask()}/${ctx.getNumberOfParallelSubtasks()}`);
      }
      map(n: number): number {
        return n;
      }
    }
    const result = await run((env) => {
      env.setParallelism(2);
      env.fromSequence(1, 100).map(new Who()).setParallelism(5).sinkTo(Sinks.collect('out')).setParallelism(1);
    });
    expect([...seen].sort()).toEqual(['0/5', '1/5', '2/5', '3/5', '4/5']);
    expect(result.vertices.map((v) => [v.name, v.parallelism])).toEqual([
      ['Source: Sequence', 2],
      ['Map', 5],
      ['Sink: Collect(out)', 1],
    ]);
    expect(result.output<number>('out').sort(ascending)).toEqual(range(1, 100));
  });

  it('passes job parameters to env.getParameter, with a fallback for missing ones', async () => {
    const result = await run(
      (env) => {
        const offset = Number(env.getParameter('offset'));
        const label = env.getParameter('label', 'none');
        env.fromSequence(1, 3).map((n) => `${label}:${n + offset}`).sinkTo(Sinks.collect('out'));
      },
      { parameters: new Map([['offset', '10']]) },
    );
    expect(result.output('out')).toEqual(['none:11', 'none:12', 'none:13']);
  });
});

describe('RuntimeContext and lifecycle', () => {
  type Seen = { index: number; parallelism: number; maxParallelism: number; attempt: number; name: string; param: string | undefined };

  class Observe extends RichMapFunction<number, number> {
    constructor(private readonly log: Seen[]) {
      super();
    }
    override open(ctx: RuntimeContext): void {
      this.log.push({
        index: ctx.getIndexOfThisSubtask(),
        parallelism: ctx.getNumberOfParallelSubtasks(),
        maxParallelism: ctx.getMaxNumberOfParallelSubtasks(),
        attempt: ctx.getAttemptNumber(),
        name: ctx.getTaskName(),
        param: ctx.getParameter('who'),
      });
    }
    map(n: number): number {
      return n;
    }
  }

  it('tells each instance its subtask index, parallelism, default maxParallelism, attempt 0 and name', async () => {
    const log: Seen[] = [];
    await run(
      (env) => {
        env.fromSequence(1, 10).map(new Observe(log)).uid('observer').sinkTo(Sinks.collect('out'));
      },
      { parallelism: 3, parameters: { who: 'me' } },
    );
    expect(log.sort((a, b) => a.index - b.index)).toEqual(
      [0, 1, 2].map((index) => ({ index, parallelism: 3, maxParallelism: 128, attempt: 0, name: 'observer', param: 'me' })),
    );
  });

  it('reports an explicit maxParallelism and the name when no uid is set', async () => {
    const log: Seen[] = [];
    await run((env) => {
      env.setMaxParallelism(64);
      env.fromSequence(1, 10).map(new Observe(log)).name('watcher').sinkTo(Sinks.collect('out'));
    });
    expect(log).toEqual([{ index: 0, parallelism: 1, maxParallelism: 64, attempt: 0, name: 'watcher', param: undefined }]);
  });

  it('fails with a StateAccessError when keyed state is used outside a keyed stream', async () => {
    class Misuse extends RichMapFunction<number, number> {
      override open(ctx: RuntimeContext): void {
        ctx.getState(new ValueStateDescriptor<number>('seen'));
      }
      map(n: number): number {
        return n;
      }
    }
    const error = await run((env) => {
      env.fromSequence(1, 3).map(new Misuse()).uid('misuse').sinkTo(Sinks.collect('out'));
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskFailureError);
    const failure = error as TaskFailureError;
    expect(failure.operator).toBe('misuse');
    expect(failure.userError.name).toBe('StateAccessError');
    expect(failure.userError.message).toMatch(/keyed state 'seen' used outside a keyed stream/);
  });

  it('calls initializeState (not restored) before open, and close after the last record; operator state works', async () => {
    const events: string[] = [];
    const finalState: Record<string, unknown>[] = [];

    class Stateful extends RichMapFunction<number, number> implements CheckpointedFunction {
      private list!: ListState<number>;
      private union!: ListState<string>;
      private seenCount = 0;
      private store!: ReturnType<FunctionInitializationContext['getOperatorStateStore']>;
      private index = -1;

      initializeState(ctx: FunctionInitializationContext): void {
        events.push(`initializeState restored=${ctx.isRestored()}`);
        this.store = ctx.getOperatorStateStore();
        this.list = this.store.getListState(new ListStateDescriptor<number>('numbers'));
        this.union = this.store.getUnionListState(new ListStateDescriptor<string>('labels'));
      }
      snapshotState(): void {
        events.push('snapshotState');
      }
      override open(ctx: RuntimeContext): void {
        this.index = ctx.getIndexOfThisSubtask();
        events.push(`open ${this.index}`);
      }
      map(n: number): number {
        this.seenCount++;
        this.list.add(n);
        if (n % 5 === 0) this.union.add(`five:${n}`);
        const broadcast = this.store.getBroadcastState(new MapStateDescriptor<string, number>('max'));
        broadcast.put('max', Math.max(broadcast.get('max') ?? -Infinity, n));
        return n;
      }
      override close(): void {
        events.push(`close ${this.index} after ${this.seenCount}`);
        const broadcast = this.store.getBroadcastState(new MapStateDescriptor<string, number>('max'));
        finalState.push({ index: this.index, list: [...this.list.get()], union: [...this.union.get()], max: broadcast.get('max') });
      }
    }

    await run(
      (env) => {
        env.fromSequence(1, 20).map(new Stateful()).sinkTo(Sinks.collect('out'));
      },
      { parallelism: 2 },
    );

    expect(events.filter((e) => e.startsWith('initializeState'))).toEqual(['initializeState restored=false', 'initializeState restored=false']);
    expect(events).not.toContain('snapshotState'); // no checkpoints in this run
    for (const index of [0, 1]) {
      const mine = events.filter((e) => e.endsWith(` ${index}`) || e.includes(` ${index} `));
      expect(mine).toEqual([`open ${index}`, `close ${index} after 10`]);
      // initializeState comes before open
      expect(events.indexOf(`open ${index}`)).toBeGreaterThan(events.indexOf('initializeState restored=false'));
    }
    expect(finalState.sort((a, b) => (a.index as number) - (b.index as number))).toEqual([
      { index: 0, list: range(1, 10), union: ['five:5', 'five:10'], max: 10 },
      { index: 1, list: range(11, 20), union: ['five:15', 'five:20'], max: 20 },
    ]);
  });

  it('calls close() once per instance of every function, including process functions', async () => {
    const closed: string[] = [];
    class Closing extends ProcessFunction<number, number> {
      processElement(n: number, _ctx: ProcessContext, out: Collector<number>): void {
        out.collect(n);
      }
      override close(): void {
        closed.push('process');
      }
    }
    class ClosingFilter extends RichFilterFunction<number> {
      filter(): boolean {
        return true;
      }
      override close(): void {
        closed.push('filter');
      }
    }
    await run(
      (env) => {
        env.fromSequence(1, 10).process(new Closing()).filter(new ClosingFilter()).sinkTo(Sinks.collect('out'));
      },
      { parallelism: 3 },
    );
    expect(closed.sort()).toEqual(['filter', 'filter', 'filter', 'process', 'process', 'process']);
  });
});
