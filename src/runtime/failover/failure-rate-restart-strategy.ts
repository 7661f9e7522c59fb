import type { RestartStrategy } from './restart-strategy.js';
import type { ResolvedRestartConfigOf } from './restart-strategy-config.js';

/**
 * Restarts after `delayMs` as long as no more than `maxFailuresPerInterval` failures fall
 * within the sliding window of the last `intervalMs` (Flink's
 * `FailureRateRestartBackoffTimeStrategy`). A failure counts while it is at most
 * `intervalMs` old, as in Flink.
 */
export class FailureRateRestartStrategy implements RestartStrategy {
  readonly description: string;
  /** Times of the recent failures, oldest first; never more than `maxFailuresPerInterval + 1`. */
  private readonly failureTimes: number[] = [];

  constructor(
    private readonly config: ResolvedRestartConfigOf<'failure-rate'>,
    private readonly clock: () => number,
  ) {
    const { maxFailuresPerInterval, intervalMs, delayMs } = config;
    this.description = `failure-rate (at most ${maxFailuresPerInterval} failure${maxFailuresPerInterval === 1 ? '' : 's'} per ${intervalMs} ms, ${delayMs} ms delay)`;
  }

  /** `delayMs`, or `undefined` when this failure makes more than the maximum within the window. */
  onFailure(now: number = this.clock()): number | undefined {
    const { maxFailuresPerInterval, intervalMs, delayMs } = this.config;
    while (this.failureTimes.length > 0 && now - this.failureTimes[0]! > intervalMs) this.failureTimes.shift();
    this.failureTimes.push(now);
    if (this.failureTimes.length > maxFailuresPerInterval + 1) this.failureTimes.shift();
    return this.failureTimes.length > maxFailuresPerInterval ? undefined : delayMs;
  }
}
