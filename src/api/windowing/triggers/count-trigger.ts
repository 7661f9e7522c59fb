/**
 * Fires a window every n elements (Flink's `CountTrigger`), typically on
 * {@link GlobalWindows}: `window(GlobalWindows.create()).trigger(CountTrigger.of(100))`.
 */
import { JobDefinitionError } from '../../../core/errors.js';
import { ReducingStateDescriptor } from '../../../state/descriptors.js';
import type { Window } from '../windows/window.js';
import { Trigger, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { TriggerResult } from './trigger-result.js';

const sum = (a: number, b: number): number => a + b;

/**
 * Fires when the window has received `maxCount` elements since its last firing, then
 * counts again from zero. The count is reducing state named `count`, per key and window,
 * so it is checkpointed; merging windows add their counts.
 *
 * It does not purge: on global windows, wrap it as `PurgingTrigger.of(CountTrigger.of(n))`
 * (or use a count evictor) unless each firing should see every element so far.
 */
export class CountTrigger extends Trigger<unknown, Window> {
  /** The elements per firing. */
  readonly maxCount: number;
  private readonly countDescriptor = new ReducingStateDescriptor<number>('count', sum);

  private constructor(maxCount: number) {
    super();
    this.maxCount = maxCount;
  }

  /**
   * Fires every `maxCount` elements.
   *
   * @throws {@link JobDefinitionError} unless `maxCount` is a whole number ≥ 1
   */
  static of(maxCount: number): CountTrigger {
    if (typeof maxCount !== 'number' || !Number.isSafeInteger(maxCount) || maxCount < 1) {
      throw new JobDefinitionError(`CountTrigger.of(${String(maxCount)}): the count must be a whole number >= 1`);
    }
    return new CountTrigger(maxCount);
  }

  onElement(_element: unknown, _timestamp: number | undefined, _window: Window, ctx: TriggerContext): TriggerResult {
    const count = ctx.getPartitionedState(this.countDescriptor);
    count.add(1);
    if ((count.get() ?? 0) >= this.maxCount) {
      count.clear();
      return 'FIRE';
    }
    return 'CONTINUE';
  }

  onEventTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(_window: Window, ctx: OnMergeContext): void {
    ctx.mergePartitionedState(this.countDescriptor);
  }

  clear(_window: Window, ctx: TriggerContext): void {
    ctx.getPartitionedState(this.countDescriptor).clear();
  }

  override toString(): string {
    return `CountTrigger(${this.maxCount})`;
  }
}
