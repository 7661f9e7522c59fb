/**
 * KeyedProcessOperator with timers, driven by hand: a heap backend, a fake processing
 * time service and an output that records what the operator emits, as the task would
 * drive it (the chain sets the key before each record).
 */
import { describe, expect, it } from 'vitest';
import { StateAccessError } from '../../src/core/errors.js';
import type { Key } from '../../src/core/key-encoding.js';
import { KeyGroupRange } from '../../src/core/key-group-range.js';
import { KeyedProcessFunction, ProcessFunction } from '../../src/api/functions.js';
import type { Collector, KeyedContext, OnTimerContext, ProcessContext } from '../../src/api/functions.js';
import type { RuntimeContext } from '../../src/api/runtime-context.js';
import { KeyedProcessOperator, ProcessOperator } from '../../src/api/operators/process-operator.js';
import type { OperatorSetup, StreamOperator } from '../../src/runtime/operators/stream-operator.js';
import { MAX_WATERMARK, MIN_WATERMARK } from '../../src/runtime/time/watermark.js';
import { ValueStateDescriptor } from '../../src/state/descriptors.js';
import { createHeapKeyedStateBackend } from '../../src/state/heap/heap-keyed-state-backend.js';
import type { KeyedStateBackend } from '../../src/state/keyed-state-backend.js';
import { OperatorStateStore } from '../../src/state/operator/operator-state-store.js';
import type { ValueState } from '../../src/state/state.js';
import { FakeProcessingTimeService } from '../runtime/time/fake-processing-time-service.js';

type Emitted = { record: unknown; timestamp: number | undefined } | { watermark: number };

/** An operator set up with fakes, and what it emitted. */
interface Harness<IN> {
  readonly operator: StreamOperator<IN, unknown>;
  readonly backend: KeyedStateBackend | undefined;
  readonly time: FakeProcessingTimeService;
  readonly emitted: Emitted[];
  /** The timestamp `setup.currentTimestamp()` returns. */
  recordTimestamp: number | undefined;
  /** Sets the key (on a keyed operator) and processes `record`, as the chain does. */
  send(record: IN, key?: Key): void;
}

async function harness<IN>(
  operator: StreamOperator<IN, unknown>,
  options: { keyed: boolean; backend?: KeyedStateBackend; time?: FakeProcessingTimeService },
): Promise<Harness<IN>> {
  const backend = options.keyed
    ? (options.backend ?? createHeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) }))
    : undefined;
  const time = options.time ?? new FakeProcessingTimeService(1_000);
  const emitted: Emitted[] = [];
  const h: Harness<IN> = {
    operator,
    backend,
    time,
    emitted,
    recordTimestamp: undefined,
    send(record, key) {
      if (key !== undefined) backend!.setCurrentKey(key);
      operator.processElement(record);
    },
  };
  const setup: OperatorSetup<unknown> = {
    info: {
      jobId: 'job',
      operatorName: 'alarms',
      uid: 'alarms',
      taskName: 'alarms',
      subtaskIndex: 0,
      parallelism: 2,
      maxParallelism: 128,
      attemptNumber: 0,
      parameters: new Map(),
    },
    output: {
      collect: (record, timestamp) => emitted.push({ record, timestamp }),
      emitWatermark: (watermark) => emitted.push({ watermark }),
    },
    keyedBackend: backend,
    operatorStateStore: new OperatorStateStore(),
    emitToCoordinator: () => {},
    processingTimeService: time,
    currentTimestamp: () => h.recordTimestamp,
  };
  operator.setup(setup);
  await operator.initializeState?.();
  await operator.open?.();
  return h;
}

interface Reading {
  readonly sensor: string;
  readonly at: number;
}

/**
 * Emits `timeout <sensor>` when a sensor has sent nothing for 100 ms of event time, and
 * `tick <sensor>` 50 ms of processing time after its first reading.
 */
class Timeouts extends KeyedProcessFunction<string, Reading, string> {
  last!: ValueState<number>;
  readonly onTimerCalls: Array<{ key: string; domain: string; timestamp: number; ts: number; watermark: number }> = [];

  override open(ctx: RuntimeContext): void {
    this.last = ctx.getState(new ValueStateDescriptor<number>('last'));
  }

  processElement(reading: Reading, ctx: KeyedContext<string>, _out: Collector<string>): void {
    const timers = ctx.timerService();
    const previous = this.last.value();
    if (previous !== undefined) timers.deleteEventTimeTimer(previous + 100);
    else timers.registerProcessingTimeTimer(timers.currentProcessingTime() + 50);
    this.last.update(reading.at);
    timers.registerEventTimeTimer(reading.at + 100);
  }

  override onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    this.onTimerCalls.push({
      key: ctx.getCurrentKey(),
      domain: ctx.timeDomain(),
      timestamp,
      ts: ctx.timestamp(),
      watermark: ctx.timerService().currentWatermark(),
    });
    out.collect(`${ctx.timeDomain() === 'event-time' ? 'timeout' : 'tick'} ${ctx.getCurrentKey()} (last ${this.last.value()})`);
  }
}

describe('KeyedProcessOperator with timers', () => {
  it('fires event-time timers as the watermark passes them, before emitting the watermark, with the timer time on the records', async () => {
    const fn = new Timeouts();
    const h = await harness<Reading>(new KeyedProcessOperator(fn), { keyed: true });
    h.send({ sensor: 'a', at: 10 }, 'a');
    h.send({ sensor: 'b', at: 20 }, 'b');
    h.send({ sensor: 'a', at: 50 }, 'a'); // moves a's timeout from 110 to 150
    h.operator.processWatermark!(120);
    h.operator.processWatermark!(MAX_WATERMARK);
    expect(h.emitted).toEqual([
      { record: 'timeout b (last 20)', timestamp: 120 },
      { watermark: 120 },
      { record: 'timeout a (last 50)', timestamp: 150 },
      { watermark: MAX_WATERMARK },
    ]);
    expect(fn.onTimerCalls.map(({ key, domain, timestamp, ts, watermark }) => [key, domain, timestamp, ts, watermark])).toEqual([
      ['b', 'event-time', 120, 120, 120],
      ['a', 'event-time', 150, 150, MAX_WATERMARK],
    ]);
  });

  it('fires processing-time timers from the processing time service, with the key set and no timestamp on the records', async () => {
    const fn = new Timeouts();
    const h = await harness<Reading>(new KeyedProcessOperator(fn), { keyed: true });
    h.send({ sensor: 'a', at: 10 }, 'a'); // tick at 1050
    h.time.advanceTo(1_020);
    h.send({ sensor: 'b', at: 20 }, 'b'); // tick at 1070
    h.send({ sensor: 'a', at: 30 }, 'a');
    expect(h.time.scheduledTimes()).toEqual([1_050]);
    h.time.advanceTo(1_100);
    expect(h.emitted).toEqual([
      { record: 'tick a (last 30)', timestamp: undefined },
      { record: 'tick b (last 20)', timestamp: undefined },
    ]);
    expect(fn.onTimerCalls.map((c) => [c.key, c.domain, c.ts])).toEqual([
      ['a', 'processing-time', 1_050],
      ['b', 'processing-time', 1_070],
    ]);
  });

  it("gives ctx.timestamp() the record's timestamp and the time services' current times", async () => {
    const seen: unknown[] = [];
    const fn = new (class extends KeyedProcessFunction<string, number, never> {
      processElement(_n: number, ctx: KeyedContext<string>): void {
        const timers = ctx.timerService();
        seen.push([ctx.timestamp(), timers.currentProcessingTime(), timers.currentWatermark()]);
      }
    })();
    const h = await harness<number>(new KeyedProcessOperator(fn), { keyed: true });
    h.send(1, 'k');
    h.recordTimestamp = 77;
    h.operator.processWatermark!(5);
    h.time.advanceTo(2_000);
    h.send(2, 'k');
    expect(seen).toEqual([
      [undefined, 1_000, MIN_WATERMARK],
      [77, 2_000, 5],
    ]);
  });

  it('lets timers fire when the function has no onTimer', async () => {
    const fn = new (class extends KeyedProcessFunction<string, number, number> {
      processElement(n: number, ctx: KeyedContext<string>): void {
        ctx.timerService().registerEventTimeTimer(n);
      }
    })();
    const h = await harness<number>(new KeyedProcessOperator(fn), { keyed: true });
    h.send(1, 'k');
    h.operator.processWatermark!(10);
    expect(h.emitted).toEqual([{ watermark: 10 }]);
  });

  it('restores its timers with the keyed state, and fires overdue processing-time timers at once', async () => {
    const before = await harness<Reading>(new KeyedProcessOperator(new Timeouts()), { keyed: true });
    before.send({ sensor: 'a', at: 10 }, 'a'); // timeout 110, tick 1050
    before.send({ sensor: 'b', at: 40 }, 'b'); // timeout 140, tick 1050 (deduplicated per key, not across keys)
    before.operator.processWatermark!(5);
    const snapshot = await before.backend!.snapshot(1).run();
    await before.operator.close?.();

    const backend = createHeapKeyedStateBackend({ maxParallelism: 128, keyGroupRange: KeyGroupRange.of(0, 127) });
    backend.restore([snapshot]);
    const time = new FakeProcessingTimeService(5_000);
    const after = await harness<Reading>(new KeyedProcessOperator(new Timeouts()), { keyed: true, backend, time });
    expect(time.scheduledTimes()).toEqual([1_050]);
    time.runDue();
    after.operator.processWatermark!(200);
    // equal times restore in key-group order, not in registration order
    expect(after.emitted.slice(0, 2)).toEqual(
      expect.arrayContaining([
        { record: 'tick a (last 10)', timestamp: undefined },
        { record: 'tick b (last 40)', timestamp: undefined },
      ]),
    );
    expect(after.emitted.slice(2)).toEqual([
      { record: 'timeout a (last 10)', timestamp: 110 },
      { record: 'timeout b (last 40)', timestamp: 140 },
      { watermark: 200 },
    ]);
  });

  it.each(['finish', 'close'] as const)('stops processing-time timers on %s, keeping them in the state', async (hook) => {
    const h = await harness<Reading>(new KeyedProcessOperator(new Timeouts()), { keyed: true });
    h.send({ sensor: 'a', at: 10 }, 'a');
    await h.operator[hook]?.();
    h.time.advanceTo(10_000);
    expect(h.emitted).toEqual([]);
    expect([...h.backend!.getKeysAndNamespaces('_eddy/timers/user-timers/processing-time')]).toHaveLength(1);
  });
});

describe('ProcessOperator (not keyed) and timers', () => {
  it('gives the current times but refuses timers, which need a keyed stream', async () => {
    const seen: unknown[] = [];
    const errors: unknown[] = [];
    const fn = new (class extends ProcessFunction<number, number> {
      processElement(n: number, ctx: ProcessContext, out: Collector<number>): void {
        const timers = ctx.timerService();
        seen.push([ctx.timestamp(), timers.currentProcessingTime(), timers.currentWatermark()]);
        for (const attempt of [
          () => timers.registerEventTimeTimer(n),
          () => timers.registerProcessingTimeTimer(n),
          () => timers.deleteEventTimeTimer(n),
          () => timers.deleteProcessingTimeTimer(n),
        ]) {
          try {
            attempt();
          } catch (error) {
            errors.push(error);
          }
        }
        out.collect(n);
      }
    })();
    const h = await harness<number>(new ProcessOperator(fn), { keyed: false });
    h.recordTimestamp = 3;
    h.send(1);
    h.operator.processWatermark!(9);
    h.send(2);
    expect(seen).toEqual([
      [3, 1_000, MIN_WATERMARK],
      [3, 1_000, 9],
    ]);
    expect(h.emitted).toEqual([{ record: 1, timestamp: undefined }, { watermark: 9 }, { record: 2, timestamp: undefined }]);
    expect(errors).toHaveLength(8);
    for (const error of errors) expect(error).toBeInstanceOf(StateAccessError);
    expect((errors[0] as Error).message).toBe(
      "operator 'alarms' (subtask 1/2): cannot register a timer in a ProcessFunction on a stream that is not keyed; timers are per key: apply a KeyedProcessFunction after keyBy()",
    );
    expect((errors[2] as Error).message).toMatch(/cannot delete a timer/);
  });
});

describe('internal state names', () => {
  it("refuses user keyed state whose name starts with Eddy's reserved prefix", async () => {
    let failure: unknown;
    const fn = new (class extends KeyedProcessFunction<string, number, never> {
      override open(ctx: RuntimeContext): void {
        try {
          ctx.getState(new ValueStateDescriptor<number>('_eddy/timers/user-timers/event-time'));
        } catch (error) {
          failure = error;
        }
        ctx.getState(new ValueStateDescriptor<number>('eddy/fine'));
        ctx.getState(new ValueStateDescriptor<number>('_eddy-fine-too'));
      }
      processElement(): void {}
    })();
    await harness<number>(new KeyedProcessOperator(fn), { keyed: true });
    expect(failure).toBeInstanceOf(StateAccessError);
    expect((failure as Error).message).toBe(
      "operator 'alarms' (subtask 1/2): state name '_eddy/timers/user-timers/event-time' starts with '_eddy/', which is reserved for Eddy's internal state (timers); choose another name",
    );
  });
});
