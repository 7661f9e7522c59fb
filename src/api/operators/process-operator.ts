/**
 * Runs a {@link ProcessFunction} or, on a keyed stream, a {@link KeyedProcessFunction}
 * with its timers: the keyed operator owns a timer service (`user-timers`) whose timers
 * live in its keyed state backend, fires event-time timers as watermarks pass them and
 * processing-time timers as the task's processing time does, and calls `onTimer`.
 */
import { StateAccessError } from '../../core/errors.js';
import type { Key } from '../../core/key-encoding.js';
import type { OperatorInfo, OperatorSetup } from '../../runtime/operators/stream-operator.js';
import type { InternalTimer, InternalTimerService, Triggerable } from '../../runtime/time/internal-timer-service.js';
import { InternalTimerServiceManager } from '../../runtime/time/internal-timer-service-manager.js';
import type { ProcessingTimeService } from '../../runtime/time/processing-time-service.js';
import type { TimeDomain } from '../../runtime/time/timer-state.js';
import { MIN_WATERMARK } from '../../runtime/time/watermark.js';
import { VOID_NAMESPACE, type VoidNamespace } from '../../state/namespace.js';
import type {
  Collector,
  KeyedContext,
  KeyedProcessFunction,
  OnTimerContext,
  ProcessContext,
  ProcessFunction,
  TimerService,
} from '../functions.js';
import type { OutputTag } from '../output-tag.js';
import { UdfOperator } from './udf-operator.js';

/** The name of a keyed process function's timer service (its internal states are named after it). */
export const USER_TIMERS = 'user-timers';

/** What both process operators take from their setup. */
abstract class ProcessOperatorBase<I, O> extends UdfOperator<I, O> {
  protected info!: OperatorInfo;
  protected processingTime!: ProcessingTimeService;
  protected currentTimestamp!: () => number | undefined;

  override setup(setup: OperatorSetup<O>): void {
    super.setup(setup);
    this.info = setup.info;
    this.processingTime = setup.processingTimeService;
    this.currentTimestamp = setup.currentTimestamp;
  }

  /** Emits to a side output (the `output(tag, value)` of the contexts). */
  protected emitSide(tag: OutputTag<unknown>, value: unknown, timestamp?: number): void {
    this.output.emitSide?.(tag.id, value, timestamp);
  }

  /** `operator 'x' (subtask 1/2)`, for error messages. */
  protected get owner(): string {
    const { operatorName, subtaskIndex, parallelism } = this.info;
    return `operator '${operatorName}' (subtask ${subtaskIndex + 1}/${parallelism})`;
  }
}

/** Runs a {@link ProcessFunction}: times are available, timers are not (they need a key). */
export class ProcessOperator<I, O> extends ProcessOperatorBase<I, O> {
  private watermark = MIN_WATERMARK;
  private readonly timerService: TimerService = {
    currentProcessingTime: () => this.processingTime.getCurrentProcessingTime(),
    currentWatermark: () => this.watermark,
    registerEventTimeTimer: () => this.noTimers('register'),
    registerProcessingTimeTimer: () => this.noTimers('register'),
    deleteEventTimeTimer: () => this.noTimers('delete'),
    deleteProcessingTimeTimer: () => this.noTimers('delete'),
  };
  private readonly context: ProcessContext = {
    timestamp: () => this.currentTimestamp(),
    timerService: () => this.timerService,
    output: (tag, value) => this.emitSide(tag, value),
  };

  constructor(private readonly fn: ProcessFunction<I, O>) {
    super(fn);
  }

  processElement(record: I): void {
    this.fn.processElement(record, this.context, this.output);
  }

  processWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
    this.output.emitWatermark(watermark);
  }

  private noTimers(action: 'register' | 'delete'): never {
    throw new StateAccessError(
      `${this.owner}: cannot ${action} a timer in a ProcessFunction on a stream that is not keyed; timers are per key: apply a KeyedProcessFunction after keyBy()`,
    );
  }
}

/** The timer that is firing, while `onTimer` runs. */
interface Firing {
  readonly timer: InternalTimer<Key, VoidNamespace>;
  readonly domain: TimeDomain;
}

/** Runs a {@link KeyedProcessFunction} with its timers. */
export class KeyedProcessOperator<K, I, O> extends ProcessOperatorBase<I, O> implements Triggerable<Key, VoidNamespace> {
  private timers: InternalTimerServiceManager | undefined;
  private internalTimerService: InternalTimerService<Key, VoidNamespace> | undefined;
  private firing: Firing | undefined;

  private readonly timerService: TimerService = {
    currentProcessingTime: () => this.processingTime.getCurrentProcessingTime(),
    currentWatermark: () => this.timers?.currentWatermark() ?? MIN_WATERMARK,
    registerEventTimeTimer: (time) => this.internalTimers().registerEventTimeTimer(VOID_NAMESPACE, time),
    registerProcessingTimeTimer: (time) => this.internalTimers().registerProcessingTimeTimer(VOID_NAMESPACE, time),
    deleteEventTimeTimer: (time) => this.internalTimers().deleteEventTimeTimer(VOID_NAMESPACE, time),
    deleteProcessingTimeTimer: (time) => this.internalTimers().deleteProcessingTimeTimer(VOID_NAMESPACE, time),
  };
  private readonly context: KeyedContext<K> = {
    timestamp: () => this.currentTimestamp(),
    getCurrentKey: () => this.keyedBackend!.getCurrentKey() as K,
    timerService: () => this.timerService,
    output: (tag, value) => this.emitSide(tag, value),
  };
  private readonly onTimerContext: OnTimerContext<K> = {
    timestamp: () => this.firingTimer().timer.timestamp,
    getCurrentKey: () => this.firingTimer().timer.key as K,
    timeDomain: () => this.firingTimer().domain,
    timerService: () => this.timerService,
    // like the main output: an event-time timer's records carry its time
    output: (tag, value) => this.emitSide(tag, value, this.firing?.domain === 'event-time' ? this.firing.timer.timestamp : undefined),
  };
  /** Gives records emitted by an event-time timer the timer's time. */
  private readonly eventTimeOutput: Collector<O> = {
    collect: (record) => this.output.collect(record, this.firing?.timer.timestamp),
  };

  constructor(private readonly fn: KeyedProcessFunction<K, I, O>) {
    super(fn);
  }

  /** Creates the timer service (loading restored timers) before the function opens. */
  override open(): void | Promise<void> {
    const backend = this.keyedBackend;
    if (backend !== undefined) {
      this.timers = new InternalTimerServiceManager({
        backend,
        processingTimeService: this.processingTime,
        owner: this.owner,
      });
      this.internalTimerService = this.timers.getInternalTimerService<Key, VoidNamespace>(USER_TIMERS, this);
    }
    return super.open();
  }

  processElement(record: I): void {
    this.fn.processElement(record, this.context, this.output);
  }

  /** Fires the event-time timers the watermark passes, then forwards the watermark. */
  processWatermark(watermark: number): void {
    this.timers?.advanceWatermark(watermark);
    this.output.emitWatermark(watermark);
  }

  onEventTime(timer: InternalTimer<Key, VoidNamespace>): void {
    this.invokeOnTimer({ timer, domain: 'event-time' }, this.eventTimeOutput);
  }

  onProcessingTime(timer: InternalTimer<Key, VoidNamespace>): void {
    this.invokeOnTimer({ timer, domain: 'processing-time' }, this.output);
  }

  /**
   * End of input: processing-time timers stop firing (as Flink quiesces them before
   * `finish`); pending ones stay in the state, so the final snapshot holds them. Event-time
   * timers have fired on the final watermark already.
   */
  finish(): void {
    this.timers?.close();
  }

  /** Stops processing-time timers before the function closes; pending timers stay in the state. */
  override close(): void | Promise<void> {
    this.timers?.close();
    return super.close();
  }

  private invokeOnTimer(firing: Firing, out: Collector<O>): void {
    const onTimer = this.fn.onTimer;
    if (onTimer === undefined) return;
    const outer = this.firing;
    this.firing = firing;
    try {
      onTimer.call(this.fn, firing.timer.timestamp, this.onTimerContext, out);
    } finally {
      this.firing = outer;
    }
  }

  private firingTimer(): Firing {
    if (this.firing === undefined) {
      throw new StateAccessError(`${this.owner}: the OnTimerContext was used outside onTimer`);
    }
    return this.firing;
  }

  private internalTimers(): InternalTimerService<Key, VoidNamespace> {
    if (this.internalTimerService === undefined) {
      throw new StateAccessError(
        `${this.owner}: timers are not available ${this.keyedBackend === undefined ? 'on a stream that is not keyed; apply the function after keyBy()' : 'before the operator is opened'}`,
      );
    }
    return this.internalTimerService;
  }
}
