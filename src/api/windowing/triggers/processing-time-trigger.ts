/**
 * The default trigger of the processing-time assigners (Flink's
 * `ProcessingTimeTrigger`): fires a window when the task's clock passes its end.
 */
import type { Window } from '../windows/window.js';
import { Trigger, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { TriggerResult } from './trigger-result.js';

/**
 * Fires when processing time reaches the window's `maxTimestamp()`, through a
 * processing-time timer registered with the window's first element. Works with merging
 * windows.
 */
export class ProcessingTimeTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new ProcessingTimeTrigger();

  private constructor() {
    super();
  }

  /** The processing-time trigger (it has no settings, so one instance serves all). */
  static create(): ProcessingTimeTrigger {
    return ProcessingTimeTrigger.INSTANCE;
  }

  onElement(_element: unknown, _timestamp: number | undefined, window: Window, ctx: TriggerContext): TriggerResult {
    ctx.registerProcessingTimeTimer(window.maxTimestamp());
    return 'CONTINUE';
  }

  onEventTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'CONTINUE';
  }

  onProcessingTime(_time: number, _window: Window, _ctx: TriggerContext): TriggerResult {
    return 'FIRE';
  }

  override canMerge(): boolean {
    return true;
  }

  override onMerge(window: Window, ctx: OnMergeContext): void {
    // Only if that time is still to come: a timer in the past would fire the window at once.
    const maxTimestamp = window.maxTimestamp();
    if (maxTimestamp > ctx.getCurrentProcessingTime()) ctx.registerProcessingTimeTimer(maxTimestamp);
  }

  clear(window: Window, ctx: TriggerContext): void {
    ctx.deleteProcessingTimeTimer(window.maxTimestamp());
  }

  override toString(): string {
    return 'ProcessingTimeTrigger()';
  }
}
