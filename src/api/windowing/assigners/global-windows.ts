/**
 * The global window assigner (Flink's `GlobalWindows`): all records of a key in one
 * window that never ends, fired by a custom trigger (a count, a condition) or at the end
 * of input.
 */
import { EventTimeTrigger } from '../triggers/event-time-trigger.js';
import { NeverTrigger } from '../triggers/never-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { GlobalWindow } from '../windows/global-window.js';
import type { WindowCodec } from '../windows/window.js';
import { WindowAssigner, type WindowAssignerContext } from './window-assigner.js';

/**
 * Puts every record into {@link GlobalWindow}. Its default trigger never fires
 * ({@link NeverTrigger}), so give it one:
 *
 * ```ts
 * keyed.window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(100)))
 * ```
 *
 * or use {@link GlobalWindows.createWithEndOfStreamTrigger} to fire once, when the input
 * ends.
 */
export class GlobalWindows extends WindowAssigner<unknown, GlobalWindow> {
  private static readonly NEVER = new GlobalWindows(false);
  private static readonly END_OF_STREAM = new GlobalWindows(true);
  private readonly endOfStream: boolean;

  private constructor(endOfStream: boolean) {
    super();
    this.endOfStream = endOfStream;
  }

  /** Global windows with a default trigger that never fires. */
  static create(): GlobalWindows {
    return GlobalWindows.NEVER;
  }

  /**
   * Global windows whose default trigger fires once, at the end of input (when the
   * watermark reaches `+Infinity`: a bounded job's end, a drained stop-with-savepoint).
   */
  static createWithEndOfStreamTrigger(): GlobalWindows {
    return GlobalWindows.END_OF_STREAM;
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, _ctx: WindowAssignerContext): readonly GlobalWindow[] {
    return [GlobalWindow.get()];
  }

  /** {@link NeverTrigger}, or for {@link GlobalWindows.createWithEndOfStreamTrigger} an {@link EventTimeTrigger}. */
  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return this.endOfStream ? EventTimeTrigger.create() : NeverTrigger.create();
  }

  getWindowCodec(): WindowCodec<GlobalWindow> {
    return GlobalWindow.codec;
  }

  /** `false`: the global window is ended by no watermark. */
  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return this.endOfStream ? 'GlobalWindows(endOfStreamTrigger)' : 'GlobalWindows()';
  }
}
