/**
 * Tumbling windows in event time (Flink's `TumblingEventTimeWindows`): fixed-size,
 * non-overlapping windows by the records' timestamps.
 */
import { EventTimeTrigger } from '../triggers/event-time-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { TimeWindow } from '../windows/time-window.js';
import type { WindowCodec } from '../windows/window.js';
import { requireOffset, requirePositiveMillis, requireTimestamp } from './assigner-arguments.js';
import { WindowAssigner, type WindowAssignerContext } from './window-assigner.js';

/**
 * Puts each record into the one window `[start, start + size)` that holds its timestamp,
 * with windows aligned to `offset`: they start at `offset + k × size` (for every integer
 * k, so at multiples of `size` by default: hourly windows start on the hour in UTC).
 * Fired by {@link EventTimeTrigger} when the watermark passes the window's end.
 *
 * ```ts
 * keyed.window(TumblingEventTimeWindows.of(60_000))          // minutes
 * keyed.window(TumblingEventTimeWindows.of(86_400_000, -8 * 3_600_000)) // days in UTC+8
 * ```
 */
export class TumblingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
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
   * Windows of `size` milliseconds, starting at `offset + k × size`.
   *
   * @param offset - @default 0; `|offset| < size`
   * @throws {@link JobDefinitionError} unless `size` is a whole number > 0 and `offset` a
   *   whole number with `|offset| < size`
   */
  static of(size: number, offset = 0): TumblingEventTimeWindows {
    const call = `TumblingEventTimeWindows.of(${String(size)}, ${String(offset)})`;
    const checked = requirePositiveMillis(call, 'size', size);
    return new TumblingEventTimeWindows(checked, requireOffset(call, offset, checked, 'size'));
  }

  /** @throws {@link JobDefinitionError} for a record without a timestamp */
  assignWindows(_element: unknown, timestamp: number | undefined, _ctx: WindowAssignerContext): readonly TimeWindow[] {
    const t = requireTimestamp(this, 'TumblingProcessingTimeWindows', timestamp);
    const start = TimeWindow.getWindowStartWithOffset(t, this.offset, this.size);
    return [new TimeWindow(start, start + this.size)];
  }

  /** {@link EventTimeTrigger}. */
  getDefaultTrigger(): Trigger<unknown, TimeWindow> {
    return EventTimeTrigger.create();
  }

  getWindowCodec(): WindowCodec<TimeWindow> {
    return TimeWindow.codec;
  }

  isEventTime(): boolean {
    return true;
  }

  override toString(): string {
    return `TumblingEventTimeWindows(${this.size}${this.offset === 0 ? '' : `, ${this.offset}`})`;
  }
}
