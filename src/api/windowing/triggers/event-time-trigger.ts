/**
 * The default trigger of the event-time assigners (Flink's `EventTimeTrigger`): fires a
 * window once the watermark passes its end.
 */
import type { Window } from '../windows/window.js';
import { Trigger, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { TriggerResult } from './trigger-result.js';

/**
 * Fires when the watermark reaches the window's `maxTimestamp()`, through an event-time
 * timer there. An element that arrives when the watermark is already past that (a late
 * element within the allowed lateness) fires the window at once, so each late element
 * gives an updated result. Works with merging windows.
 */
export class EventTimeTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new EventTimeTrigger();

  private constructor() {
    super();
  }

  /** The event-time trigger (it has no settings, so one instance serves all). */
  static create(): EventTimeTrigger {
    return EventTimeTrigger.INSTANCE;
  }

  onElement(_element: unknown, _timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    if (window.maxTimestamp() <= ctx.getCurrentWatermark()) {
      // the watermark is already past the window: fire at once
      return 'FIRE';
    }
    ctx.registerEventTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }

  onEventTime(time: number, window: Window, _ctx: TriggerContext): TriggerResult {
    return time === window.maxTimestamp() ? 'FIRE' : 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: Window, ctx: OnMergeContext): void {
    // Only if the watermark is not past the merged window yet: otherwise onElement fires
    // it, and a timer here would fire it a second time.
    const maxTimestamp = window.maxTimestamp();
    if (maxTimestamp > ctx.getCurrentWatermark()) ctx.registerEventTimeTimer(maxTimestamp);
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteEventTimeTimer(window.maxTimestamp());
  }

  override toString(): string {
    return 'EventTimeTrigger()';
  }
}
