/**
 * Fires an event-time window early, every `interval` of event time, and once more at its
 * end (Flink's `ContinuousEventTimeTrigger`): running results for long windows.
 */
import { ReducingStateDescriptor } from '../../../state/descriptors.js';
import type { ReducingState } from '../../../state/state.js';
import { requirePositiveMillis } from '../assigners/assigner-arguments.js';
import type { Window } from '../windows/window.js';
import { Trigger, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { TriggerResult } from './trigger-result.js';

const min = (a: number, b: number): number => Math.min(a, b);

/**
 * Fires at the window's `maxTimestamp()` as {@link EventTimeTrigger} does, and before
 * that whenever the watermark passes the next multiple of `interval` (capped at the
 * window's end), starting from the first element's timestamp rounded down to a multiple
 * of `interval` (toward zero, as Flink). The next firing time is reducing state named
 * `fire-time` (the minimum wins when windows merge). Does not purge.
 *
 * An element without a timestamp registers no early firing.
 */
export class ContinuousEventTimeTrigger extends Trigger<unknown, Window> {
  /** Milliseconds of event time between early firings. */
  readonly interval: number;
  private readonly fireTimeDescriptor = new ReducingStateDescriptor<number>('fire-time', min);

  private constructor(interval: number) {
    super();
    this.interval = interval;
  }

  /**
   * Fires every `interval` milliseconds of event time.
   *
   * @throws {@link JobDefinitionError} unless `interval` is a whole number > 0
   */
  static of(interval: number): ContinuousEventTimeTrigger {
    return new ContinuousEventTimeTrigger(
      requirePositiveMillis(`ContinuousEventTimeTrigger.of(${String(interval)})`, 'the interval', interval),
    );
  }

  onElement(_element: unknown, timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
      // the watermark is already past the window: fire at once
      return 'FIRE';
    }
    ctx.registerEventTimeTimer(window.maxTimestamp());
    const fireTime = ctx.getPartitionedState(this.fireTimeDescriptor);
    if (fireTime.get() === undefined && timestamp !== undefined) {
      this.registerNextFireTime(timestamp - (timestamp % this.interval), window, ctx, fireTime);
    }
    return 'CONTINUE';
  }

  onEventTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    if (time === window.maxTimestamp()) return 'FIRE';
    const fireTime = ctx.getPartitionedState(this.fireTimeDescriptor);
    if (fireTime.get() === time) {
      fireTime.clear();
      this.registerNextFireTime(time, window, ctx, fireTime);
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTimeDescriptor);
    const next = ctx.getPartitionedState(this.fireTimeDescriptor).get();
    if (next !== undefined) ctx.registerEventTimeTimer(next);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(this.fireTimeDescriptor);
    const time = fireTime.get();
    if (time !== undefined) {
      ctx.deleteEventTimeTimer(time);
      fireTime.clear();
    }
  }

  override toString(): string {
    return `ContinuousEventTimeTrigger(${this.interval})`;
  }

  private registerNextFireTime(time: number, window: Window, ctx: TriggerContext, fireTime: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    fireTime.add(next);
    ctx.registerEventTimeTimer(next);
  }
}
