/**
 * The window operator (Flink's `WindowOperator`): assigns each record of a keyed stream to
 * windows, keeps every window's contents in keyed state under the window's namespace,
 * asks the trigger when to evaluate a window, evaluates it with the window function, and
 * drops the window once its cleanup time has come. Everything it keeps (contents, trigger
 * state, timers, the merging windows' bookkeeping) is keyed state of its backend, so
 * checkpoints, savepoints and rescaling need nothing of their own. docs/WINDOWS.md has
 * the semantics.
 */
import { StateAccessError } from '../../core/errors.js';
import type { Key } from '../../core/key-encoding.js';
import type { OperatorInfo, OperatorSetup } from '../../runtime/operators/stream-operator.js';
import type { InternalTimer, InternalTimerService, Triggerable } from '../../runtime/time/internal-timer-service.js';
import { InternalTimerServiceManager } from '../../runtime/time/internal-timer-service-manager.js';
import type { ProcessingTimeService } from '../../runtime/time/processing-time-service.js';
import { ListStateDescriptor } from '../../state/descriptors.js';
import { INTERNAL_STATE_PREFIX } from '../../state/internal-state-names.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import { VOID_NAMESPACE } from '../../state/namespace.js';
import type { Collector } from '../functions.js';
import type { OutputTag } from '../output-tag.js';
import { StreamingRuntimeContext } from '../runtime-context.js';
import type { WindowAssigner, WindowAssignerContext } from '../windowing/assigners/window-assigner.js';
import { isMergingWindowAssigner, type MergingWindowAssigner } from '../windowing/assigners/merging-window-assigner.js';
import { MergingWindowSet, type MergingWindowStore } from '../windowing/merging-window-set.js';
import type { Trigger } from '../windowing/triggers/trigger.js';
import { TriggerResult } from '../windowing/triggers/trigger-result.js';
import type { Window, WindowCodec } from '../windowing/windows/window.js';
import { UdfOperator } from './udf-operator.js';
import type { WindowContents, WindowContentsFactory } from './window-operator-contents.js';
import { WindowProcessContext, WindowTriggerContext, type WindowContextHost } from './window-operator-contexts.js';
import type { InternalWindowFunction } from './window-operator-functions.js';
import { defaultNamespaceBackend } from './window-operator-state.js';

/** The name of the window operator's timer service (its timers' state names contain it). */
export const WINDOW_TIMERS = 'window-timers';

/** The name of the internal state that maps each in-flight merging window to its state window. */
export const MERGING_WINDOWS_STATE = `${INTERNAL_STATE_PREFIX}window/merging-windows`;

/** How a window operator is configured: `WindowedStream` fills it in. */
export interface WindowOperatorOptions<K, IN, ACC, OUT, W extends Window> {
  readonly assigner: WindowAssigner<IN, W>;
  readonly trigger: Trigger<IN, W>;
  /** Where window contents are kept, by the kind of window function. */
  readonly contents: WindowContentsFactory<IN, ACC>;
  readonly windowFunction: InternalWindowFunction<ACC, OUT, K, W>;
  /** Milliseconds of event time a window is kept after its end, for late records. @default 0 */
  readonly allowedLateness?: number;
  /** Where late records go (`sideOutputLateData`); without it they are dropped and counted. */
  readonly lateDataTag?: OutputTag<IN>;
}

/**
 * Runs the windows of a keyed stream. `IN` is the record type, `ACC` what the window
 * state gives a firing (the elements or a pre-aggregated value), `OUT` the result type.
 */
export class WindowOperator<K extends Key, IN, ACC, OUT, W extends Window>
  extends UdfOperator<IN, OUT>
  implements Triggerable<Key, Key>, WindowContextHost
{
  protected readonly assigner: WindowAssigner<IN, W>;
  protected readonly trigger: Trigger<IN, W>;
  protected readonly windowFunction: InternalWindowFunction<ACC, OUT, K, W>;
  protected readonly allowedLateness: number;
  /** The tag `sideOutputLateData` gave; late records go to {@link WindowOperator.emitLateElement}. */
  readonly lateDataTag: OutputTag<IN> | undefined;
  private readonly contentsFactory: WindowContentsFactory<IN, ACC>;
  private readonly codec: WindowCodec<W>;
  private readonly mergingAssigner: MergingWindowAssigner<IN, W> | undefined;
  private readonly eventTime: boolean;

  private info!: OperatorInfo;
  private processingTime!: ProcessingTimeService;
  private currentTimestamp!: () => number | undefined;
  private timerManager: InternalTimerServiceManager | undefined;
  private timerService: InternalTimerService<Key, Key> | undefined;
  protected contents!: WindowContents<IN, ACC>;
  private mergingWindowStore: MergingWindowStore | undefined;
  private triggerContext!: WindowTriggerContext<W>;
  protected processContext!: WindowProcessContext<W>;
  private readonly assignerContext: WindowAssignerContext = {
    getCurrentProcessingTime: () => this.processingTime.getCurrentProcessingTime(),
  };
  /** The timestamp of the results being emitted: the window's `maxTimestamp()`. */
  private emitTimestamp = 0;
  private readonly collector: Collector<OUT> = {
    collect: (record) => this.output.collect(record, this.emitTimestamp),
  };
  private droppedLateRecords = 0;

  constructor(options: WindowOperatorOptions<K, IN, ACC, OUT, W>) {
    super(options.windowFunction.userFunction);
    this.assigner = options.assigner;
    this.trigger = options.trigger;
    this.contentsFactory = options.contents;
    this.windowFunction = options.windowFunction;
    this.allowedLateness = options.allowedLateness ?? 0;
    this.lateDataTag = options.lateDataTag;
    this.codec = options.assigner.getWindowCodec();
    this.mergingAssigner = isMergingWindowAssigner(options.assigner) ? options.assigner : undefined;
    this.eventTime = options.assigner.isEventTime();
  }

  /** How many late records were dropped (late, and no `sideOutputLateData`). */
  get lateRecordsDropped(): number {
    return this.droppedLateRecords;
  }

  /** The operator's keyed state backend (a window operator only runs on a keyed stream). */
  get backend(): KeyedStateBackend {
    const backend = this.keyedBackend;
    if (backend === undefined) {
      throw new StateAccessError(`${this.owner}: a window operator needs a keyed stream; apply window() after keyBy()`);
    }
    return backend;
  }

  /** The timer service; created in `open()`. */
  get timers(): InternalTimerService<Key, Key> {
    if (this.timerService === undefined) throw new StateAccessError(`${this.owner}: the window operator is not open yet`);
    return this.timerService;
  }

  /** `operator 'x' (subtask 1/2)`, for error messages. */
  get owner(): string {
    const { operatorName, subtaskIndex, parallelism } = this.info;
    return `operator '${operatorName}' (subtask ${subtaskIndex + 1}/${parallelism})`;
  }

  override setup(setup: OperatorSetup<OUT>): void {
    super.setup(setup);
    this.info = setup.info;
    this.processingTime = setup.processingTimeService;
    this.currentTimestamp = setup.currentTimestamp;
    // the window function's own keyed state stays in the default namespace, whatever
    // namespace the operator last set on a state object of the same name
    if (setup.keyedBackend !== undefined) {
      this.runtimeContext = new StreamingRuntimeContext(setup.info, defaultNamespaceBackend(setup.keyedBackend));
    }
  }

  /** Creates the state and the timer service (loading restored timers), then opens the function. */
  override open(): void | Promise<void> {
    const backend = this.backend;
    this.contents = this.contentsFactory(backend);
    if (this.mergingAssigner !== undefined) {
      const state = backend.getPartitionedState(new ListStateDescriptor<[Key, Key]>(MERGING_WINDOWS_STATE));
      this.mergingWindowStore = {
        get: () => {
          state.setCurrentNamespace(VOID_NAMESPACE);
          return state.get();
        },
        update: (pairs) => {
          state.setCurrentNamespace(VOID_NAMESPACE);
          state.update(pairs);
        },
      };
    }
    this.triggerContext = new WindowTriggerContext<W>(this);
    this.processContext = new WindowProcessContext<W>(this, this.mergingAssigner !== undefined);
    this.timerManager = new InternalTimerServiceManager({ backend, processingTimeService: this.processingTime, owner: this.owner });
    this.timerService = this.timerManager.getInternalTimerService<Key, Key>(WINDOW_TIMERS, this);
    return super.open();
  }

  processElement(record: IN): void {
    const timestamp = this.currentTimestamp();
    const windows = this.assigner.assignWindows(record, timestamp, this.assignerContext);
    let skipped = true;
    if (this.mergingAssigner !== undefined) {
      const set = this.mergingWindowSet();
      for (const window of windows) {
        const actual = set.addWindow(window, (result, merged, stateResult, mergedStateWindows) =>
          this.mergeWindows(result, merged, stateResult, mergedStateWindows),
        );
        // a new window that merged with nothing and is already late: drop it
        if (this.isWindowLate(actual)) {
          set.retireWindow(actual);
          continue;
        }
        skipped = false;
        const stateWindow = set.getStateWindow(actual);
        if (stateWindow === undefined) {
          throw new StateAccessError(`${this.owner}: window ${String(actual)} is not in the in-flight window set`);
        }
        this.addToWindow(actual, stateWindow, record, timestamp);
      }
      set.persist();
    } else {
      for (const window of windows) {
        if (this.isWindowLate(window)) continue;
        skipped = false;
        this.addToWindow(window, window, record, timestamp);
      }
    }
    // Flink's rule: a record none of whose windows took it, and that is itself late
    if (skipped && this.isElementLate(timestamp)) {
      if (this.lateDataTag !== undefined) this.emitLateElement(record, timestamp);
      else this.droppedLateRecords += 1;
    }
  }

  /**
   * Where a late record goes when `sideOutputLateData(tag)` was set: the side output
   * {@link WindowOperator.lateDataTag}, with the record's own timestamp.
   */
  protected emitLateElement(record: IN, timestamp: number | undefined): void {
    this.emitSide(this.lateDataTag as OutputTag<unknown>, record, timestamp);
  }

  /** Emits to a side output (late records, `ctx.output(tag, value)` of window functions). */
  emitSide(tag: OutputTag<unknown>, record: unknown, timestamp: number | undefined): void {
    this.output.emitSide?.(tag.id, record, timestamp);
  }

  /** Fires the windows (and cleans up those) the watermark passes, then forwards it. */
  processWatermark(watermark: number): void {
    this.timerManager?.advanceWatermark(watermark);
    this.output.emitWatermark(watermark);
  }

  onEventTime(timer: InternalTimer<Key, Key>): void {
    this.onTimer(timer, 'event-time');
  }

  onProcessingTime(timer: InternalTimer<Key, Key>): void {
    this.onTimer(timer, 'processing-time');
  }

  /**
   * End of input: event-time windows have fired on the final watermark already;
   * processing-time timers stop (as Flink quiesces them), and pending windows stay in the
   * state, so the final snapshot holds them.
   */
  finish(): void {
    this.timerManager?.close();
  }

  override close(): void | Promise<void> {
    this.timerManager?.close();
    return super.close();
  }

  /**
   * Evaluates `window` on `contents` (from its state window `stateWindow`): calls the
   * window function with results stamped `window.maxTimestamp()`.
   */
  protected emitWindowContents(window: W, stateWindow: W, contents: ACC): void {
    void stateWindow;
    const key = this.backend.getCurrentKey() as K;
    this.windowFunction.process(key, this.processContext.at(window), contents, this.resultCollector(window));
  }

  /** Where the results of evaluating `window` go: stamped with `window.maxTimestamp()`. */
  protected resultCollector(window: W): Collector<OUT> {
    this.emitTimestamp = window.maxTimestamp();
    return this.collector;
  }

  /** Adds `record` to `window` (whose contents live under `stateWindow`) and runs its trigger. */
  private addToWindow(window: W, stateWindow: W, record: IN, timestamp: number | undefined): void {
    const stateNamespace = stateWindow.namespace();
    this.contents.add(stateNamespace, record, timestamp);
    const result = this.trigger.onElement(record, timestamp, window, this.triggerContext.at(window));
    this.applyTriggerResult(result, window, stateWindow, stateNamespace);
    this.registerCleanupTimer(window);
  }

  private applyTriggerResult(result: TriggerResult, window: W, stateWindow: W, stateNamespace: Key): void {
    if (TriggerResult.isFire(result)) {
      const contents = this.contents.get(stateNamespace);
      if (contents !== undefined) this.emitWindowContents(window, stateWindow, contents);
    }
    if (TriggerResult.isPurge(result)) this.contents.clear(stateNamespace);
  }

  private onTimer(timer: InternalTimer<Key, Key>, domain: 'event-time' | 'processing-time'): void {
    const window = this.codec.fromNamespace(timer.namespace);
    let set: MergingWindowSet<W> | undefined;
    let stateWindow = window;
    if (this.mergingAssigner !== undefined) {
      set = this.mergingWindowSet();
      const found = set.getStateWindow(window);
      // A timer of a window that is gone (a trigger that did not delete its timers): the
      // window's state is cleared already, so there is nothing to do.
      if (found === undefined) return;
      stateWindow = found;
    }
    const ctx = this.triggerContext.at(window);
    const result =
      domain === 'event-time'
        ? this.trigger.onEventTime(timer.timestamp, window, ctx)
        : this.trigger.onProcessingTime(timer.timestamp, window, ctx);
    const stateNamespace = stateWindow.namespace();
    this.applyTriggerResult(result, window, stateWindow, stateNamespace);
    if (this.eventTime === (domain === 'event-time') && timer.timestamp === this.cleanupTime(window)) {
      this.clearAllState(window, stateNamespace, set);
    }
    set?.persist();
  }

  /** The window is dropped: its contents, its trigger state and timers, the function's per-window state. */
  private clearAllState(window: W, stateNamespace: Key, set: MergingWindowSet<W> | undefined): void {
    this.contents.clear(stateNamespace);
    this.trigger.clear(window, this.triggerContext.at(window));
    this.windowFunction.clear(this.processContext.at(window));
    set?.retireWindow(window);
  }

  /** What {@link MergingWindowSet.addWindow} calls when windows merge. */
  private mergeWindows(result: W, merged: readonly W[], stateResult: W, mergedStateWindows: readonly W[]): void {
    if (this.eventTime && this.cleanupTime(result) <= this.timers.currentWatermark()) {
      throw new StateAccessError(
        `${this.owner}: merging made the event-time window ${String(result)} end before the current watermark ${this.timers.currentWatermark()}; a merging window assigner must not shrink windows`,
      );
    }
    if (!this.eventTime && result.maxTimestamp() <= this.timers.currentProcessingTime()) {
      throw new StateAccessError(
        `${this.owner}: merging made the processing-time window ${String(result)} end before the current processing time ${this.timers.currentProcessingTime()}; a merging window assigner must not shrink windows`,
      );
    }
    this.trigger.onMerge(result, this.triggerContext.at(result, merged));
    for (const window of merged) {
      this.trigger.clear(window, this.triggerContext.at(window));
      this.deleteCleanupTimer(window);
    }
    this.contents.merge(
      stateResult.namespace(),
      mergedStateWindows.map((w) => w.namespace()),
    );
  }

  /**
   * When the window is dropped: `maxTimestamp() + allowedLateness` in event time,
   * `maxTimestamp()` in processing time; `+Infinity` (never) for the global window.
   */
  private cleanupTime(window: W): number {
    return this.eventTime ? window.maxTimestamp() + this.allowedLateness : window.maxTimestamp();
  }

  private registerCleanupTimer(window: W): void {
    const time = this.cleanupTime(window);
    if (time === Number.POSITIVE_INFINITY) return;
    if (this.eventTime) this.timers.registerEventTimeTimer(window.namespace(), time);
    else this.timers.registerProcessingTimeTimer(window.namespace(), time);
  }

  private deleteCleanupTimer(window: W): void {
    const time = this.cleanupTime(window);
    if (time === Number.POSITIVE_INFINITY) return;
    if (this.eventTime) this.timers.deleteEventTimeTimer(window.namespace(), time);
    else this.timers.deleteProcessingTimeTimer(window.namespace(), time);
  }

  /** An event-time window whose cleanup time the watermark has reached takes no more records. */
  private isWindowLate(window: W): boolean {
    return this.eventTime && this.cleanupTime(window) <= this.timers.currentWatermark();
  }

  /** A record is late when `timestamp + allowedLateness` is at or behind the watermark (event time only). */
  private isElementLate(timestamp: number | undefined): boolean {
    return (
      this.eventTime &&
      timestamp !== undefined &&
      timestamp + this.allowedLateness <= this.timers.currentWatermark()
    );
  }

  private mergingWindowSet(): MergingWindowSet<W> {
    return new MergingWindowSet<W>(this.mergingAssigner as MergingWindowAssigner<unknown, W>, this.mergingWindowStore!);
  }
}
