/**
 * A window over a range of time, `[start, end)` in milliseconds (Flink's `TimeWindow`),
 * used by the tumbling, sliding and session assigners in event time and processing time.
 */
import { defineBrand } from '../../../core/brand.js';
import { StateSerializationError } from '../../../core/errors.js';
import type { Key } from '../../../core/key-encoding.js';
import type { MergeCallback } from '../assigners/merging-window-assigner.js';
import { Window, type WindowCodec } from './window.js';

/**
 * The time range `[start, end)`: `start` inclusive, `end` exclusive, so the last
 * timestamp inside is {@link TimeWindow.maxTimestamp} = `end - 1`. Immutable.
 *
 * Its state namespace is the tuple `[start, end]`.
 */
export class TimeWindow extends Window {
  /** Turns time windows into their namespace `[start, end]` and back. */
  static readonly codec: WindowCodec<TimeWindow> = {
    toNamespace: (window) => window.namespace(),
    fromNamespace: (namespace) => {
      if (
        Array.isArray(namespace) &&
        namespace.length === 2 &&
        typeof namespace[0] === 'number' &&
        typeof namespace[1] === 'number'
      ) {
        return new TimeWindow(namespace[0], namespace[1]);
      }
      throw new StateSerializationError(
        `not the namespace of a time window: expected a tuple [start, end] of two numbers, found ${describe(namespace)}`,
      );
    },
  };

  /** The first millisecond of the window (inclusive). */
  readonly start: number;
  /** The end of the window (exclusive). */
  readonly end: number;

  constructor(start: number, end: number) {
    super();
    this.start = start;
    this.end = end;
  }

  /** `end - 1`: the last millisecond that belongs to the window. */
  maxTimestamp(): number {
    return this.end - 1;
  }

  /** `[start, end]`. */
  namespace(): Key {
    return [this.start, this.end];
  }

  hashKey(): string {
    // String(-0) is '0', as the canonical key bytes of -0 are those of 0.
    return `${this.start}:${this.end}`;
  }

  equals(other: unknown): boolean {
    return isTimeWindow(other) && other.start === this.start && other.end === this.end;
  }

  /**
   * Whether the two windows overlap or touch (`this.start <= other.end && this.end >=
   * other.start`), as Flink's: a session `[0, 10)` and a session `[10, 20)` merge, since
   * an element at 10 is within the gap of the element at 0.
   */
  intersects(other: TimeWindow): boolean {
    return this.start <= other.end && this.end >= other.start;
  }

  /** The smallest window that covers both: `[min(starts), max(ends))`. */
  cover(other: TimeWindow): TimeWindow {
    return new TimeWindow(Math.min(this.start, other.start), Math.max(this.end, other.end));
  }

  override toString(): string {
    return `TimeWindow{start=${this.start}, end=${this.end}}`;
  }

  /**
   * The start of the window of length `windowSize` that contains `timestamp`, for windows
   * aligned to `offset` (windows start at `offset + k × windowSize` for every integer k).
   * Exactly Flink's `getWindowStartWithOffset`, negative timestamps included:
   * `timestamp - ((timestamp - offset) mod windowSize)` with a modulo that is never
   * negative.
   */
  static getWindowStartWithOffset(timestamp: number, offset: number, windowSize: number): number {
    const remainder = (timestamp - offset) % windowSize;
    // JS's % keeps the sign of the dividend, as Java's: handle negative remainders
    return remainder < 0 ? timestamp - (remainder + windowSize) : timestamp - remainder;
  }

  /**
   * Merges overlapping (or touching) windows, as Flink's `TimeWindow.mergeWindows`: sorts
   * them by start, folds each run of windows that intersect into their cover, and calls
   * `callback(windowsOfTheRun, cover)` for each run of two or more distinct windows.
   * Equal windows count once.
   */
  static mergeWindows(windows: Iterable<TimeWindow>, callback: MergeCallback<TimeWindow>): void {
    const distinct = new Map<string, TimeWindow>();
    for (const window of windows) distinct.set(window.hashKey(), window);
    const sorted = [...distinct.values()].sort((a, b) => a.start - b.start);

    let cover: TimeWindow | undefined;
    let run: TimeWindow[] = [];
    for (const candidate of sorted) {
      if (cover !== undefined && cover.intersects(candidate)) {
        cover = cover.cover(candidate);
        run.push(candidate);
        continue;
      }
      if (cover !== undefined && run.length > 1) callback(run, cover);
      cover = candidate;
      run = [candidate];
    }
    if (cover !== undefined && run.length > 1) callback(run, cover);
  }
}

const TIME_WINDOW = defineBrand<TimeWindow>('time-window');
TIME_WINDOW.mark(TimeWindow.prototype);

/** Whether `value` is a {@link TimeWindow} (made by any copy of Eddy). */
export function isTimeWindow(value: unknown): value is TimeWindow {
  return TIME_WINDOW.is(value);
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
