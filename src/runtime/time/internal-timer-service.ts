/**
 * The timers of one operator (Flink's InternalTimerService): event-time and processing-
 * time timers per (key, namespace, timestamp), kept in the keyed state backend (so they
 * are snapshotted and rescaled by key group like any keyed state) and mirrored by an
 * in-memory queue per time domain that decides what fires next. docs/TIMERS.md has the
 * semantics.
 */
import { StateAccessError } from '../../core/errors.js';
import type { Key } from '../../core/key-encoding.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type { Namespace } from '../../state/namespace.js';
import type { ProcessingTimeService, ScheduledCallback } from './processing-time-service.js';
import { TimerQueue } from './timer-queue.js';
import { TimerState, type TimeDomain } from './timer-state.js';
import { MIN_WATERMARK } from './watermark.js';

/** A timer: fires for `key` and `namespace` when its domain's time reaches `timestamp`. */
export interface InternalTimer<K, N> {
  readonly key: K;
  readonly namespace: N;
  /** Milliseconds: event time or processing time, by the timer's domain. */
  readonly timestamp: number;
}

/**
 * What a timer service calls when its timers fire. The timer's key is the backend's
 * current key during the call; the timer is already removed, so the callback may
 * register it again.
 */
export interface Triggerable<K, N> {
  onEventTime(timer: InternalTimer<K, N>): void;
  onProcessingTime(timer: InternalTimer<K, N>): void;
}

/** What a timer service is made of. */
export interface InternalTimerServiceOptions<K, N> {
  /** Names the service's internal states; unique within the operator (e.g. `user-timers`). */
  readonly name: string;
  /** The operator's keyed state backend: it holds the timers and the current key. */
  readonly backend: KeyedStateBackend;
  /** The task's processing time. */
  readonly processingTimeService: ProcessingTimeService;
  readonly triggerable: Triggerable<K, N>;
  /** Starts error messages, e.g. `operator 'x' (subtask 1/2)`. */
  readonly owner?: string;
}

/**
 * Event-time and processing-time timers of one operator, scoped to the backend's current
 * key and a namespace of type `N` (`VOID_NAMESPACE` for process functions, the window for
 * window operators).
 *
 * - A timer is (key, namespace, timestamp): registering it again does nothing, deleting
 *   one that is not there does nothing.
 * - Event-time timers fire in timestamp order (then registration order) when
 *   {@link InternalTimerService.advanceWatermark} reaches them (`timestamp ≤ watermark`).
 * - Processing-time timers fire through one callback of the processing time service,
 *   scheduled for the earliest timer; after a restore, overdue ones fire at once.
 * - Timers registered while timers fire fire in the same advance if they are due.
 *
 * Timers that exist in the backend when the service is created (after a restore) are
 * loaded into the queues at once, and the processing-time callback is scheduled.
 */
export class InternalTimerService<K extends Key, N extends Namespace> {
  readonly name: string;
  private readonly backend: KeyedStateBackend;
  private readonly processingTime: ProcessingTimeService;
  /** What the service calls when a timer fires. */
  readonly triggerable: Triggerable<K, N>;
  private readonly prefix: string;
  private readonly eventTimeQueue = new TimerQueue<K, N>();
  private readonly processingTimeQueue = new TimerQueue<K, N>();
  private readonly eventTimeState: TimerState<K, N>;
  private readonly processingTimeState: TimerState<K, N>;
  private watermark = MIN_WATERMARK;
  /** The one scheduled processing-time callback and its time. */
  private scheduled: ScheduledCallback | undefined;
  private scheduledTime: number | undefined;
  private firingProcessingTime = false;
  private closed = false;

  constructor(options: InternalTimerServiceOptions<K, N>) {
    this.name = options.name;
    this.backend = options.backend;
    this.processingTime = options.processingTimeService;
    this.triggerable = options.triggerable;
    this.prefix = options.owner === undefined ? '' : `${options.owner}: `;
    this.eventTimeState = new TimerState(this.backend, this.name, 'event-time');
    this.processingTimeState = new TimerState(this.backend, this.name, 'processing-time');
    this.loadRestored();
  }

  /** The task's current processing time. */
  currentProcessingTime(): number {
    return this.processingTime.getCurrentProcessingTime();
  }

  /** The last watermark given to {@link InternalTimerService.advanceWatermark}; `-Infinity` before any. */
  currentWatermark(): number {
    return this.watermark;
  }

  /** Registers an event-time timer for the current key. */
  registerEventTimeTimer(namespace: N, time: number): void {
    const key = this.currentKey('register', time);
    if (this.eventTimeQueue.add(key, namespace, time)) this.eventTimeState.add(namespace, time);
  }

  /** Deletes an event-time timer of the current key, if there is one. */
  deleteEventTimeTimer(namespace: N, time: number): void {
    const key = this.currentKey('delete', time);
    if (this.eventTimeQueue.remove(key, namespace, time)) this.eventTimeState.remove(namespace, time);
  }

  /** Registers a processing-time timer for the current key. */
  registerProcessingTimeTimer(namespace: N, time: number): void {
    const key = this.currentKey('register', time);
    if (!this.processingTimeQueue.add(key, namespace, time)) return;
    this.processingTimeState.add(namespace, time);
    this.schedule();
  }

  /** Deletes a processing-time timer of the current key, if there is one. */
  deleteProcessingTimeTimer(namespace: N, time: number): void {
    const key = this.currentKey('delete', time);
    if (!this.processingTimeQueue.remove(key, namespace, time)) return;
    this.processingTimeState.remove(namespace, time);
    this.schedule();
  }

  /**
   * Event time advanced to `watermark`: fires every event-time timer with
   * `timestamp ≤ watermark`, earliest first, including those registered while firing.
   * A watermark below the current one changes nothing.
   */
  advanceWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
    const limit = this.watermark;
    const queue = this.eventTimeQueue;
    for (let timer = queue.peek(); timer !== undefined && timer.timestamp <= limit; timer = queue.peek()) {
      queue.poll();
      this.backend.setCurrentKey(timer.key);
      this.eventTimeState.remove(timer.namespace, timer.timestamp);
      this.triggerable.onEventTime(timer);
    }
  }

  /** The number of pending event-time timers. */
  get numEventTimeTimers(): number {
    return this.eventTimeQueue.size;
  }

  /** The number of pending processing-time timers. */
  get numProcessingTimeTimers(): number {
    return this.processingTimeQueue.size;
  }

  /** The pending timers of a domain, in no particular order (for tests and debugging). */
  timers(domain: TimeDomain): Array<InternalTimer<K, N>> {
    return [...(domain === 'event-time' ? this.eventTimeQueue : this.processingTimeQueue)];
  }

  /** Stops the processing-time callback; no timer fires after this. The timers stay in the backend. */
  close(): void {
    this.closed = true;
    this.scheduled?.cancel();
    this.scheduled = undefined;
    this.scheduledTime = undefined;
  }

  /** Fires the processing-time timers due at `time` (or now, if later), then schedules the next. */
  private onProcessingTime(time: number): void {
    this.scheduled = undefined;
    this.scheduledTime = undefined;
    if (this.closed) return;
    const limit = Math.max(time, this.processingTime.getCurrentProcessingTime());
    const queue = this.processingTimeQueue;
    this.firingProcessingTime = true;
    try {
      for (let timer = queue.peek(); timer !== undefined && timer.timestamp <= limit; timer = queue.peek()) {
        queue.poll();
        this.backend.setCurrentKey(timer.key);
        this.processingTimeState.remove(timer.namespace, timer.timestamp);
        this.triggerable.onProcessingTime(timer);
        if (this.closed) return;
      }
    } finally {
      this.firingProcessingTime = false;
      this.schedule();
    }
  }

  /** Keeps exactly one processing-time callback, at the earliest timer's time. */
  private schedule(): void {
    if (this.firingProcessingTime || this.closed) return;
    const next = this.processingTimeQueue.peek()?.timestamp;
    if (next === this.scheduledTime) return;
    this.scheduled?.cancel();
    this.scheduled = undefined;
    this.scheduledTime = undefined;
    if (next === undefined) return;
    this.scheduled = this.processingTime.registerTimer(next, (t) => this.onProcessingTime(t));
    this.scheduledTime = next;
  }

  /** Loads the timers a restore put into the backend, and schedules the processing-time callback. */
  private loadRestored(): void {
    if (!this.eventTimeState.exists() && !this.processingTimeState.exists()) return;
    const savedKey = this.backend.getCurrentKey();
    for (const { key, namespace, timestamp } of this.eventTimeState.all()) {
      this.eventTimeQueue.add(key, namespace, timestamp);
    }
    for (const { key, namespace, timestamp } of this.processingTimeState.all()) {
      this.processingTimeQueue.add(key, namespace, timestamp);
    }
    if (savedKey !== undefined) this.backend.setCurrentKey(savedKey);
    this.schedule();
  }

  /** The current key, after checking that a timer at `time` can be set. */
  private currentKey(action: 'register' | 'delete', time: number): K {
    if (typeof time !== 'number' || Number.isNaN(time)) {
      throw new StateAccessError(
        `${this.prefix}cannot ${action} a timer at ${String(time)}: a timer's time must be a number of milliseconds (not NaN)`,
      );
    }
    const key = this.backend.getCurrentKey();
    if (key === undefined) {
      throw new StateAccessError(
        `${this.prefix}cannot ${action} a timer with no current key; timers can only be set while a keyed function processes a record or timer`,
      );
    }
    return key as K;
  }
}
