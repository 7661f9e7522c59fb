/**
 * Processing time, as a task sees it (Flink's ProcessingTimeService): the current time
 * from a clock that tests can replace, and callbacks at a given time. Callbacks run as
 * the task's mail, between two records, never inside one; a callback whose time has
 * already passed (e.g. an overdue timer after a restore) runs at once.
 */

/** Where processing time comes from. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * For clocks that do not follow real time (a test's `ManualClock`): calls `listener`
   * after every change of the time, and returns the function that unsubscribes it. A
   * task's processing time service then runs due callbacks when it hears of a change,
   * instead of waiting for real time to pass.
   */
  subscribe?(listener: () => void): () => void;
}

/** The system clock (`Date.now()`). */
export const SYSTEM_CLOCK: Clock = Object.freeze({ now: () => Date.now() });

/** A scheduled callback that can still be canceled. */
export interface ScheduledCallback {
  cancel(): void;
}

/** Processing time of one task. */
export interface ProcessingTimeService {
  getCurrentProcessingTime(): number;
  /**
   * Runs `callback(time)` as task mail once the clock reaches `time` (at once when it
   * already has). Callbacks run in the order of their time, then of registration.
   */
  registerTimer(time: number, callback: (time: number) => void | Promise<void>): ScheduledCallback;
}
