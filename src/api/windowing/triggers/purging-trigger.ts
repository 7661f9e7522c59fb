/**
 * Turns every firing of another trigger into fire-and-purge (Flink's `PurgingTrigger`),
 * so each firing sees only the elements since the previous one.
 */
import type { Window } from '../windows/window.js';
import { Trigger, type OnMergeContext, type TriggerContext } from './trigger.js';
import { TriggerResult } from './trigger-result.js';

/** Runs `nested`, and answers `FIRE_AND_PURGE` whenever it fires; other results pass through. */
export class PurgingTrigger<T, W extends Window> extends Trigger<T, W> {
  /** The trigger that decides when to fire. */
  readonly nested: Trigger<T, W>;

  private constructor(nested: Trigger<T, W>) {
    super();
    this.nested = nested;
  }

  /** `nested`, purging whenever it fires. */
  static of<T, W extends Window>(nested: Trigger<T, W>): PurgingTrigger<T, W> {
    return new PurgingTrigger(nested);
  }

  onElement(element: T, timestamp: number | undefined, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onElement(element, timestamp, window, ctx));
  }

  onEventTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onEventTime(time, window, ctx));
  }

  onProcessingTime(time: number, window: W, ctx: TriggerContext): TriggerResult {
    return purging(this.nested.onProcessingTime(time, window, ctx));
  }

  override canMerge(): boolean {
    return this.nested.canMerge();
  }

  override onMerge(window: W, ctx: OnMergeContext): void {
    this.nested.onMerge(window, ctx);
  }

  clear(window: W, ctx: TriggerContext): void {
    this.nested.clear(window, ctx);
  }

  override toString(): string {
    return `PurgingTrigger(${String(this.nested)})`;
  }
}

function purging(result: TriggerResult): TriggerResult {
  return TriggerResult.isFire(result) ? 'FIRE_AND_PURGE' : result;
}
