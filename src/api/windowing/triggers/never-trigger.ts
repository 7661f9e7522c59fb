/**
 * The default trigger of {@link GlobalWindows} (Flink's `GlobalWindows.NeverTrigger`):
 * the global window never ends, so by default nothing fires it; give the window a
 * trigger such as {@link CountTrigger}.
 */
import type { Window } from '../windows/window.js';
import { Trigger, type OnMergeContext, type TriggerContext } from './trigger.js';
import type { TriggerResult } from './trigger-result.js';

/** A trigger that never fires and keeps no state or timers. */
export class NeverTrigger extends Trigger<unknown, Window> {
  private static readonly INSTANCE = new NeverTrigger();

  private constructor() {
    super();
  }

  /** The trigger that never fires. */
  static create(): NeverTrigger {
    return NeverTrigger.INSTANCE;
  }

  onElement(_element: unknown, _timestamp: number | undefined, _window: Window, _ctx: TriggerContext): TriggerResult {
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

  override onMerge(_window: Window, _ctx: OnMergeContext): void {}

  clear(_window: Window, _ctx: TriggerContext): void {}

  override toString(): string {
    return 'NeverTrigger()';
  }
}
