/**
 * Sliding windows in processing time (Flink's `SlidingProcessingTimeWindows`): windows
 * of a fixed size starting every `slide`, by the task's clock when a record arrives.
 */
import { ProcessingTimeTrigger } from '../triggers/processing-time-trigger.js';
import type { Trigger } from '../triggers/trigger.js';
import { TimeWindow } from '../windows/time-window.js';
import type { WindowCodec } from '../windows/window.js';
import { requireOffset, requirePositiveMillis } from './assigner-arguments.js';
import { slidingWindows } from './sliding-event-time-windows.js';
import { WindowAssigner, type WindowAssignerContext } from './window-assigner.js';

/**
 * Puts each record into every window `[start, start + size)` that holds the current
 * processing time, windows starting at `offset + k × slide`. Fired by
 * {@link ProcessingTimeTrigger}.
 */
export class SlidingProcessingTimeWindows extends WindowAssigner<unknown, TimeWindow> {
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
   * Windows of `size` milliseconds of processing time starting every `slide`
   * milliseconds, at `offset + k × slide`.
   *
   * @param offset - @default 0; `|offset| < slide`
   * @throws {@link JobDefinitionError} unless `size` and `slide` are whole numbers > 0 and
   *   `offset` a whole number with `|offset| < slide`
   */
  static of(size: number, slide: number, offset = 0): SlidingProcessingTimeWindows {
    const call = `SlidingProcessingTimeWindows.of(${String(size)}, ${String(slide)}, ${String(offset)})`;
    const checkedSize = requirePositiveMillis(call, 'size', size);
    const checkedSlide = requirePositiveMillis(call, 'slide', slide);
    return new SlidingProcessingTimeWindows(checkedSize, checkedSlide, requireOffset(call, offset, checkedSlide, 'slide'));
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, ctx: WindowAssignerContext): readonly TimeWindow[] {
    return slidingWindows(ctx.getCurrentProcessingTime(), this.size, this.slide, this.offset);
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
    return `SlidingProcessingTimeWindows(${this.size}, ${this.slide}${this.offset === 0 ? '' : `, ${this.offset}`})`;
  }
}
