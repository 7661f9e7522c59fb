/**
 * WindowedStream (Flink's): a keyed stream with a window assigner, configured with a
 * trigger, an evictor, an allowed lateness and a late-data tag, and turned into a stream
 * again by a window function: `reduce`, `aggregate`, `process` or `apply`.
 */
import { JobDefinitionError } from '../core/errors.js';
import type { Key } from '../core/key-encoding.js';
import type { AggregateFunction, ReduceFunction } from '../state/state.js';
import type { DataStream } from './data-stream.js';
import type { KeyedStream } from './keyed-stream.js';
import { EvictingWindowOperator } from './operators/evicting-window-operator.js';
import { WindowOperator } from './operators/window-operator.js';
import {
  aggregatingContents,
  listContents,
  reducingContents,
  type WindowContentsFactory,
} from './operators/window-operator-contents.js';
import {
  aggregateApplyFunction,
  iterableApplyFunction,
  iterableProcessFunction,
  passThroughFunction,
  reduceApplyFunction,
  singleValueProcessFunction,
  type InternalWindowFunction,
} from './operators/window-operator-functions.js';
import { isOutputTag, type OutputTag } from './output-tag.js';
import type { ProcessWindowFunctionLike, WindowFunction } from './process-window-function.js';
import type { WindowAssigner } from './windowing/assigners/window-assigner.js';
import { isMergingWindowAssigner } from './windowing/assigners/merging-window-assigner.js';
import type { Evictor } from './windowing/evictors/evictor.js';
import type { Trigger } from './windowing/triggers/trigger.js';
import type { Window } from './windowing/windows/window.js';

/**
 * The windows of a keyed stream of `T` with keys `K` and windows `W`.
 *
 * ```ts
 * readings
 *   .keyBy((r) => r.sensor)
 *   .window(TumblingEventTimeWindows.of(60_000))
 *   .allowedLateness(10_000)
 *   .aggregate(new Average(), new WithWindowEnd());
 * ```
 *
 * The configuring calls (`trigger`, `evictor`, `allowedLateness`, `sideOutputLateData`)
 * change this object and return it; a window function ends it with an operator.
 */
export class WindowedStream<T, K extends Key, W extends Window> {
  private windowTrigger: Trigger<T, W> | undefined;
  private windowEvictor: Evictor<T, W> | undefined;
  private lateness = 0;
  private lateDataTag: OutputTag<T> | undefined;

  /** @internal use `keyedStream.window(assigner)` */
  constructor(
    private readonly input: KeyedStream<T, K>,
    private readonly assigner: WindowAssigner<T, W>,
  ) {}

  /**
   * Replaces the assigner's default trigger (e.g. `CountTrigger.of(100)` on global windows).
   *
   * @throws {@link JobDefinitionError} if the assigner merges windows and the trigger cannot merge
   */
  trigger(trigger: Trigger<T, W>): this {
    if (isMergingWindowAssigner(this.assigner) && !trigger.canMerge()) {
      throw new JobDefinitionError(
        `trigger(${String(trigger)}): ${String(this.assigner)} merges windows, and this trigger does not support merging (canMerge() is false)`,
      );
    }
    this.windowTrigger = trigger;
    return this;
  }

  /**
   * Removes elements from a window before or after the window function runs. The window
   * then keeps every element, so `reduce` and `aggregate` run at each firing over the
   * elements left instead of incrementally.
   */
  evictor(evictor: Evictor<T, W>): this {
    this.windowEvictor = evictor;
    return this;
  }

  /**
   * Keeps event-time windows `ms` milliseconds of event time after their end, so that late
   * records still update them: each late record within the lateness fires the window again
   * (with the default trigger). A window is dropped when the watermark passes
   * `maxTimestamp() + ms`; records for dropped windows are late. Ignored by
   * processing-time windows. @default 0
   *
   * @throws {@link JobDefinitionError} unless `ms` is a whole number ≥ 0
   */
  allowedLateness(ms: number): this {
    if (typeof ms !== 'number' || !Number.isSafeInteger(ms) || ms < 0) {
      throw new JobDefinitionError(`allowedLateness(${String(ms)}): the lateness must be a whole number of milliseconds >= 0`);
    }
    this.lateness = ms;
    return this;
  }

  /**
   * Sends records that arrive too late for all their windows (event time: the watermark
   * is past `timestamp + allowedLateness`) to the side output `tag`, with their own
   * timestamps, instead of dropping them. Read them with `result.getSideOutput(tag)`.
   */
  sideOutputLateData(tag: OutputTag<T>): this {
    if (!isOutputTag(tag)) {
      throw new JobDefinitionError('sideOutputLateData(tag): the tag must be an OutputTag (new OutputTag<T>(id))');
    }
    this.lateDataTag = tag;
    return this;
  }

  /**
   * Reduces each window's elements to one, incrementally as they arrive, and emits it
   * when the window fires.
   */
  reduce(fn: ReduceFunction<T>): DataStream<T>;
  /**
   * Reduces each window's elements incrementally, and at each firing hands the reduced
   * value to `processFunction` (as its only element), with the window's context.
   */
  reduce<R>(fn: ReduceFunction<T>, processFunction: ProcessWindowFunctionLike<T, R, K, W>): DataStream<R>;
  reduce<R>(fn: ReduceFunction<T>, processFunction?: ProcessWindowFunctionLike<T, R, K, W>): DataStream<R | T> {
    const inner: InternalWindowFunction<T, R | T, K, W> =
      processFunction === undefined ? passThroughFunction<T, K, W>(fn) : singleValueProcessFunction(processFunction);
    if (this.windowEvictor !== undefined) return this.evicting('reduce', reduceApplyFunction(fn, inner));
    return this.build('reduce', reducingContents(fn), inner);
  }

  /**
   * Aggregates each window's elements incrementally with an {@link AggregateFunction}
   * (one accumulator per window), and emits `getResult` when the window fires.
   */
  aggregate<ACC, V>(fn: AggregateFunction<T, ACC, V>): DataStream<V>;
  /**
   * Aggregates each window's elements incrementally, and at each firing hands the result
   * to `processFunction` (as its only element), with the window's context.
   */
  aggregate<ACC, V, R>(fn: AggregateFunction<T, ACC, V>, processFunction: ProcessWindowFunctionLike<V, R, K, W>): DataStream<R>;
  aggregate<ACC, V, R>(
    fn: AggregateFunction<T, ACC, V>,
    processFunction?: ProcessWindowFunctionLike<V, R, K, W>,
  ): DataStream<R | V> {
    const inner: InternalWindowFunction<V, R | V, K, W> =
      processFunction === undefined ? passThroughFunction<V, K, W>(fn) : singleValueProcessFunction(processFunction);
    if (this.windowEvictor !== undefined) return this.evicting('aggregate', aggregateApplyFunction(fn, inner));
    return this.build('aggregate', aggregatingContents(fn), inner);
  }

  /**
   * Evaluates each window with all its elements (kept in state until the window is
   * dropped) when it fires.
   */
  process<R>(processFunction: ProcessWindowFunctionLike<T, R, K, W>): DataStream<R> {
    const fn = iterableProcessFunction(processFunction);
    if (this.windowEvictor !== undefined) return this.evicting('process', fn);
    return this.build('process', listContents<T>(), fn);
  }

  /** Evaluates each window with all its elements through the older {@link WindowFunction} form. */
  apply<R>(windowFunction: WindowFunction<T, R, K, W>): DataStream<R> {
    const fn = iterableApplyFunction(windowFunction);
    if (this.windowEvictor !== undefined) return this.evicting('apply', fn);
    return this.build('apply', listContents<T>(), fn);
  }

  private build<ACC, R>(
    kind: string,
    contents: WindowContentsFactory<T, ACC>,
    windowFunction: InternalWindowFunction<ACC, R, K, W>,
  ): DataStream<R> {
    const assigner = this.assigner;
    const trigger = this.effectiveTrigger();
    const allowedLateness = this.lateness;
    const lateDataTag = this.lateDataTag;
    return this.input.transform<R>(
      this.operatorName(kind, trigger),
      () =>
        new WindowOperator<K, T, ACC, R, W>({
          assigner,
          trigger,
          contents,
          windowFunction,
          allowedLateness,
          ...(lateDataTag !== undefined ? { lateDataTag } : {}),
        }),
      this.input.keySelector,
    );
  }

  private evicting<R>(kind: string, windowFunction: InternalWindowFunction<T[], R, K, W>): DataStream<R> {
    const assigner = this.assigner;
    const trigger = this.effectiveTrigger();
    const evictor = this.windowEvictor!;
    const allowedLateness = this.lateness;
    const lateDataTag = this.lateDataTag;
    return this.input.transform<R>(
      this.operatorName(kind, trigger),
      () =>
        new EvictingWindowOperator<K, T, R, W>({
          assigner,
          trigger,
          evictor,
          windowFunction,
          allowedLateness,
          ...(lateDataTag !== undefined ? { lateDataTag } : {}),
        }),
      this.input.keySelector,
    );
  }

  private effectiveTrigger(): Trigger<T, W> {
    return this.windowTrigger ?? this.assigner.getDefaultTrigger();
  }

  /** `Window(TumblingEventTimeWindows(1000), EventTimeTrigger(), reduce)`, as Flink names it. */
  private operatorName(kind: string, trigger: Trigger<T, W>): string {
    const parts = [String(this.assigner), String(trigger)];
    if (this.windowEvictor !== undefined) parts.push(String(this.windowEvictor));
    parts.push(kind);
    return `Window(${parts.join(', ')})`;
  }
}
