/**
 * Tumbling windows in processing time (Flink's `TumblingProcessingTimeWindows`):
 * fixed-size, non-overlapping windows by the task's clock when a record arrives.
 */
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { TimeWindow } from '../windows/time-window.js';
import type { WindowCodec } from '../windows/window.js';
import { requireOffset, requirePositiveMillis } from './assigner-arguments.js';
import { WindowAssigner, type WindowAssignerContext } from './window-assigner.js';

/**
 * Puts each record into the window `[start, start + size)` that holds the current
 * processing time, windows starting at `offset + k × size`. Fired by
 * {@link ProcessingTimeTrigger} when the clock passes the window's end. The records'
 * own timestamps play no part.
 */
export class TumblingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  /** The window length in milliseconds. */
  readonly size: number;
  /** The shift of the window starts from multiples of `size`, in milliseconds. @default 0 */
  readonly offset: number;

  private constructor(size: number, offset: number) {
    super();
    this.size = size;
    this.offset = offset;
  }

  /**
   * Windows of `size` milliseconds of processing time, starting at `offset + k × size`.
   *
   * @param offset - @default 0; `|offset| < size`
   * @throws {@link JobDefinitionError} unless `size` is a whole number > 0 and `offset` a
   *   whole number with `|offset| < size`
   */
  static of(size: number, offset = 0): TumblingProcessingTimeWindows {
    const call = `TumblingProcessingTimeWindows.of(${String(size)}, ${String(offset)})`;
    const checked = requirePositiveMillis(call, 'size', size);
    return new TumblingProcessingTimeWindows(checked, requireOffset(call, offset, checked, 'size'));
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, ctx: WindowAssignerContext): readonly TimeWindow[] {
    const now = ctx.getCurrentProcessingTime();
    const start = TimeWindow.getWindowStartWithOffset(now, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }

  /** {@link ProcessingTimeTrigger}. */
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return ProcessingTimeTrigger.create();
  }

  getWindowCodec(): WindowCodec<TimeWindow> {
    return TimeWindow.codec;
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return `TumblingProcessingTimeWindows(${this.size}${this.offset === 0 ? '' : `, ${this.offset}`})`;
  }
}
