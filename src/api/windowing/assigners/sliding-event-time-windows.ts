/**
 * Sliding windows in event time (Flink's `SlidingEventTimeWindows`): windows of a fixed
 * size that start every `slide`, so they overlap when `slide < size`.
 */
import { EventTimeTrigger } from '../triggers/event-time-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { TimeWindow } from '../windows/time-window.js';
import type { WindowCodec } from '../windows/window.js';
import { requireOffset, requirePositiveMillis, requireTimestamp } from './assigner-arguments.js';
import { WindowAssigner, type WindowAssignerContext } from './window-assigner.js';

/**
 * Puts each record into every window `[start, start + size)` that holds its timestamp,
 * windows starting at `offset + k × slide`: `size / slide` windows per record when `slide`
 * divides `size` (otherwise ⌊size / slide⌋ or ⌈size / slide⌉; none at all when the
 * timestamp falls in a gap between windows, if `slide > size`). Fired by
 * {@link EventTimeTrigger}.
 *
 * ```ts
 * keyed.window(SlidingEventTimeWindows.of(10 * 60_000, 60_000)) // the last 10 minutes, every minute
 * ```
 */
export class SlidingEventTimeWindows extends WindowAssigner<unknown, TimeWindow> {
  /** The window length in milliseconds. */
  readonly size: number;
  /** How far apart window starts are, in milliseconds. */
  readonly slide: number;
  /** The shift of the window starts from multiples of `slide`, in milliseconds. @default 0 */
  readonly offset: number;

  private constructor(size: number, slide: number, offset: number) {
    super();
    this.size = size;
    this.slide = slide;
    this.offset = offset;
  }

  /**
   * Windows of `size` milliseconds starting every `slide` milliseconds, at
   * `offset + k × slide`.
   *
   * @param offset - @default 0; `|offset| < slide`
   * @throws {@link JobDefinitionError} unless `size` and `slide` are whole numbers > 0 and
   *   `offset` a whole number with `|offset| < slide`
   */
  static of(size: number, slide: number, offset = 0): SlidingEventTimeWindows {
    const call = `SlidingEventTimeWindows.of(${String(size)}, ${String(slide)}, ${String(offset)})`;
    const checkedSize = requirePositiveMillis(call, 'size', size);
    const checkedSlide = requirePositiveMillis(call, 'slide', slide);
    return new SlidingEventTimeWindows(checkedSize, checkedSlide, requireOffset(call, offset, checkedSlide, 'slide'));
  }

  /** @throws {@link JobDefinitionError} for a record without a timestamp */
  assignWindows(_element: unknown, timestamp: number | undefined, _ctx: WindowAssignerContext): readonly TimeWindow[] {
    const t = requireTimestamp(this, 'SlidingProcessingTimeWindows', timestamp);
    return slidingWindows(t, this.size, this.slide, this.offset);
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
    return `SlidingEventTimeWindows(${this.size}, ${this.slide}${this.offset === 0 ? '' : `, ${this.offset}`})`;
  }
}

/**
 * The sliding windows that hold `timestamp`, latest start first (Flink's order): from the
 * last window start at or before `timestamp` back while the window still reaches past it.
 *
 * @internal shared with {@link SlidingProcessingTimeWindows}
 */
export function slidingWindows(timestamp: number, size: number, slide: number, offset: number): TimeWindow[] {
  const windows: TimeWindow[] = [];
  const lastStart = TimeWindow.getWindowStartWithOffset(timestamp, offset, slide);
  for (let start = lastStart; start > timestamp - size; start -= slide) {
    windows.push(new TimeWindow(start, start + size));
  }
  return windows;
}
