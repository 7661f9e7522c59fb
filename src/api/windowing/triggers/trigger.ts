/**
 * Triggers (Flink's `Trigger`) decide when a window is evaluated. The window operator
 * calls one trigger instance for every key and window; whatever a trigger needs to
 * remember it keeps in state through its {@link TriggerContext}, which scopes the state
 * to the current key and window, and it asks for timers through the same context.
 */
import { JobDefinitionError } from '../../../core/errors.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../../../state/descriptors.js';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../../../state/state.js';
import type { Window } from '../windows/window.js';
import type { TriggerResult } from './trigger-result.js';

/**
 * What a trigger can do while the window operator calls it, for the current key and the
 * window the call is about. The window operator implements it.
 *
 * Timers are per (key, window, time): registering the same time twice for a window gives
 * one timer, and the trigger's `onEventTime`/`onProcessingTime` is called with that
 * window when it fires.
 */
export interface TriggerContext {
  /** The task's current processing time, in milliseconds. */
  getCurrentProcessingTime(): number;
  /** The operator's current event-time watermark; `-Infinity` before the first one. */
  getCurrentWatermark(): number;
  /** Calls `onProcessingTime(time, window)` when processing time reaches `time`. */
  registerProcessingTimeTimer(time: number): void;
  /** Calls `onEventTime(time, window)` when the watermark reaches `time` (`time ≤ watermark`). */
  registerEventTimeTimer(time: number): void;
  /** Deletes a processing-time timer of this key and window; nothing if there is none. */
  deleteProcessingTimeTimer(time: number): void;
  /** Deletes an event-time timer of this key and window; nothing if there is none. */
  deleteEventTimeTimer(time: number): void;
  /**
   * The state `descriptor` describes, scoped to the current key **and window** (the
   * window is the state's namespace). Every call for a window reaches the same values.
   */
  getPartitionedState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getPartitionedState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getPartitionedState<UK, UV>(descriptor: MapStateDescriptor<UK, UV>): MapState<UK, UV>;
  getPartitionedState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getPartitionedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
}

/**
 * The context of {@link Trigger.onMerge}: the window is the merge result, and the
 * trigger state of the windows merged into it can be folded into it. (Trigger state is
 * per window as the trigger sees it, the merge result; the window contents live in the
 * merged window's *state window*, see {@link MergingWindowSet}.)
 */
export interface OnMergeContext extends TriggerContext {
  /**
   * Folds the trigger state `descriptor` describes, of every window merged into the
   * current one, into the current window's (lists are concatenated, reducing state is
   * reduced, aggregating state merges accumulators), and clears the merged windows'.
   */
  mergePartitionedState<T>(descriptor: ListStateDescriptor<T>): void;
  mergePartitionedState<T>(descriptor: ReducingStateDescriptor<T>): void;
  mergePartitionedState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): void;
}

/**
 * Decides when a window of type `W` over elements of type `T` fires.
 *
 * Every method gets the window it is about and a context scoped to the current key and
 * that window. A trigger keeps nothing in its own fields that differs per key or window:
 * that goes into state through `ctx.getPartitionedState`, so it is checkpointed.
 *
 * A trigger used with merging windows (sessions) must return `true` from
 * {@link Trigger.canMerge} and implement {@link Trigger.onMerge}.
 */
export abstract class Trigger<T, W extends Window> {
  /**
   * Called for every element added to a window.
   *
   * @param timestamp - the element's timestamp, `undefined` when it has none
   */
  abstract onElement(element: T, timestamp: number | undefined, window: W, ctx: TriggerContext): TriggerResult;

  /**
   * Called when a processing-time timer of `window` fires: one a trigger registered, or
   * the operator's own (its cleanup timer at `maxTimestamp()` in processing time), so
   * check `time` before firing.
   */
  abstract onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult;

  /**
   * Called when an event-time timer of `window` fires: one a trigger registered, or the
   * operator's own (its cleanup timer at `maxTimestamp() + allowedLateness`), so check
   * `time` before firing.
   */
  abstract onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult;

  /**
   * Whether this trigger supports merging windows, i.e. implements {@link Trigger.onMerge}.
   * @default false
   */
  canMerge(): boolean {
    return false;
  }

  /**
   * Called when windows merge into `window`: merge the trigger state of the merged
   * windows (`ctx.mergePartitionedState`) and register the timers the merged window
   * needs. The merged windows' timers are deleted by the operator through
   * {@link Trigger.clear}.
   *
   * @throws {@link JobDefinitionError} unless overridden
   */
  onMerge(window: W, ctx: OnMergeContext): void {
    void window;
    void ctx;
    throw new JobDefinitionError(
      `${String(this)} does not support merging windows (session windows); use a trigger whose canMerge() is true`,
    );
  }

  /**
   * Called when the window is dropped (after its last firing, once the watermark or the
   * processing time is past `maxTimestamp() + allowedLateness`, and for each window merged
   * away): deletes the timers this trigger registered and clears its state for `window`.
   */
  abstract clear(window: W, ctx: TriggerContext): void;
}
