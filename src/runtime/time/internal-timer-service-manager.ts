/**
 * The timer services of one keyed operator (Flink's InternalTimeServiceManager): creates
 * them by name on the operator's keyed state backend, and hands every watermark to all of
 * them, so an operator's `processWatermark` is one call before it emits the watermark.
 */
import { StateAccessError } from '../../core/errors.js';
import type { Key } from '../../core/key-encoding.js';
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type { Namespace } from '../../state/namespace.js';
import { InternalTimerService, type Triggerable } from './internal-timer-service.js';
import type { ProcessingTimeService } from './processing-time-service.js';
import { MIN_WATERMARK } from './watermark.js';

/** What the manager needs from its operator. */
export interface InternalTimerServiceManagerOptions {
  readonly backend: KeyedStateBackend;
  readonly processingTimeService: ProcessingTimeService;
  /** Starts error messages, e.g. `operator 'x' (subtask 1/2)`. */
  readonly owner?: string;
}

/** The timer services of one operator instance. */
export class InternalTimerServiceManager {
  private readonly options: InternalTimerServiceManagerOptions;
  private readonly services = new Map<string, InternalTimerService<Key, Namespace>>();
  private watermark = MIN_WATERMARK;

  constructor(options: InternalTimerServiceManagerOptions) {
    this.options = options;
  }

  /**
   * The timer service `name`, created (and loaded with its restored timers) on first
   * request. An operator asks for its services in `open()`, so restored timers fire even
   * if the function never touches them.
   *
   * @throws {@link StateAccessError} if `name` was requested before with another triggerable
   */
  getInternalTimerService<K extends Key, N extends Namespace>(
    name: string,
    triggerable: Triggerable<K, N>,
  ): InternalTimerService<K, N> {
    const existing = this.services.get(name) as InternalTimerService<K, N> | undefined;
    if (existing !== undefined) {
      if (existing.triggerable !== triggerable) {
        const prefix = this.options.owner === undefined ? '' : `${this.options.owner}: `;
        throw new StateAccessError(`${prefix}timer service '${name}' is already in use by another triggerable`);
      }
      return existing;
    }
    const service = new InternalTimerService<K, N>({ ...this.options, name, triggerable });
    if (this.watermark !== MIN_WATERMARK) service.advanceWatermark(this.watermark);
    this.services.set(name, service as unknown as InternalTimerService<Key, Namespace>);
    return service;
  }

  /** The last watermark given to {@link InternalTimerServiceManager.advanceWatermark}. */
  currentWatermark(): number {
    return this.watermark;
  }

  /** Fires the event-time timers of every service up to `watermark`, one service after the other. */
  advanceWatermark(watermark: number): void {
    if (watermark > this.watermark) this.watermark = watermark;
    for (const service of this.services.values()) service.advanceWatermark(watermark);
  }

  /** Stops every service's processing-time callback. */
  close(): void {
    for (const service of this.services.values()) service.close();
  }
}
