/**
 * Fires a window every `interval` of processing time (Flink's
 * `ContinuousProcessingTimeTrigger`): running results, by the clock.
 */
import { ReducingStateDescriptor } from '../../../state/descriptors.js';
import type { ReducingState } from '../../../state/state.js';
import { requirePositiveMillis } from '../assigners/assigner-arguments.js';
import type { Window } from '../windows/window.js';
import { Trigger, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { TriggerResult } from './trigger-result.js';

const min = (a: number, b: number): number => Math.min(a, b);

/**
 * Fires whenever processing time passes the next multiple of `interval` (capped at the
 * window's `maxTimestamp()`), starting from the processing time of the window's first
 * element rounded down to a multiple of `interval`. The next firing time is reducing
 * state named `fire-time`. Does not purge.
 */
export class ContinuousProcessingTimeTrigger extends Trigger<unknown, Window> {
  /** Milliseconds of processing time between firings. */
  readonly interval: number;
  private readonly fireTimeDescriptor = new ReducingStateDescriptor<number>('fire-time', min);

  private constructor(interval: number) {
    super();
    this.interval = interval;
  }

  /**
   * Fires every `interval` milliseconds of processing time.
   *
   * @throws {@link JobDefinitionError} unless `interval` is a whole number > 0
   */
  static of(interval: number): ContinuousProcessingTimeTrigger {
    return new ContinuousProcessingTimeTrigger(
      requirePositiveMillis(`ContinuousProcessingTimeTrigger.of(${String(interval)})`, 'the interval', interval),
    );
  }

  onElement(_element: unknown, _timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(this.fireTimeDescriptor);
    if (fireTime.get() === undefined) {
      const now = ctx.getCurrentProcessingTime();
      this.registerNextFireTime(now - (now % this.interval), window, ctx, fireTime);
    }
    return 'CONTINUE';
  }

  onEventTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(time: number, window: Window, ctx: TriggerContext): TriggerResult {
    const fireTime = ctx.getPartitionedState(this.fireTimeDescriptor);
    if (fireTime.get() === time) {
      fireTime.clear();
      this.registerNextFireTime(time, window, ctx, fireTime);
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.fireTimeDescriptor);
    const next = ctx.getPartitionedState(this.fireTimeDescriptor).get();
    if (next !== undefined) ctx.registerProcessingTimeTimer(next);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    const fireTime = ctx.getPartitionedState(this.fireTimeDescriptor);
    const time = fireTime.get();
    if (time !== undefined) {
      ctx.deleteProcessingTimeTimer(time);
      fireTime.clear();
    }
  }

  override toString(): string {
    return `ContinuousProcessingTimeTrigger(${this.interval})`;
  }

  private registerNextFireTime(time: number, window: Window, ctx: TriggerContext, fireTime: ReducingState<number>): void {
    const next = Math.min(time + this.interval, window.maxTimestamp());
    fireTime.add(next);
    ctx.registerProcessingTimeTimer(next);
  }
}
