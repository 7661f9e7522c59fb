import type { RestartStrategy } from './restart-strategy.js';
import type { ResolvedRestartConfigOf } from './restart-strategy-config.js';

/**
 * Restarts with a delay that starts at `initialDelayMs` and is multiplied by `multiplier`
 * on each restart up to `maxDelayMs`, moved by a random jitter of up to `jitterFactor` of
 * itself and kept within [`initialDelayMs`, `maxDelayMs`]. Once the job has run
 * `resetBackoffThresholdMs` after its last restart, the next failure starts over from
 * `initialDelayMs` (and the attempt count from 0). This follows Flink ≥ 1.19's
 * `ExponentialDelayRestartBackoffTimeStrategy`, including that a failure reported before
 * the pending restart has happened joins that restart instead of counting anew.
 */
export class ExponentialDelayRestartStrategy implements RestartStrategy {
  readonly description: string;
  /** Restarts since the last reset. */
  private attempt = 0;
  /** When the last granted restart happens (failure time + delay); undefined before the first failure. */
  private nextRestartAt: number | undefined;

  constructor(
    private readonly config: ResolvedRestartConfigOf<'exponential-delay'>,
    private readonly clock: () => number,
    private readonly random: () => number,
  ) {
    const c = config;
    this.description =
      `exponential-delay (${c.initialDelayMs} ms ×${c.multiplier} up to ${c.maxDelayMs} ms, jitter ${c.jitterFactor}, ` +
      `reset after ${c.resetBackoffThresholdMs} ms, ${c.attempts === undefined ? 'unlimited attempts' : `${c.attempts} attempts`})`;
  }

  /** The delay before the next restart, or `undefined` when `attempts` restarts were used since the last reset. */
  onFailure(now: number = this.clock()): number | undefined {
    if (this.nextRestartAt !== undefined) {
      // Another failure of the attempt that is about to be restarted: same restart, no new count.
      if (now < this.nextRestartAt) return this.nextRestartAt - now;
      if (now - this.nextRestartAt >= this.config.resetBackoffThresholdMs) this.attempt = 0;
    }
    if (this.config.attempts !== undefined && this.attempt >= this.config.attempts) return undefined;
    const delay = this.delayFor(this.attempt);
    this.attempt++;
    this.nextRestartAt = now + delay;
    return delay;
  }

  private delayFor(attempt: number): number {
    const { initialDelayMs, maxDelayMs, multiplier, jitterFactor } = this.config;
    // Capped before the jitter, so delays at the cap still spread below it.
    const base = Math.min(Math.floor(initialDelayMs * multiplier ** attempt), maxDelayMs);
    const offset = Math.floor(base * jitterFactor);
    const jitter = offset > 0 ? Math.floor(unit(this.random()) * (2 * offset + 1)) - offset : 0;
    return Math.max(initialDelayMs, Math.min(base + jitter, maxDelayMs));
  }
}

/** A random number forced into [0, 1), whatever the injected source returns. */
function unit(r: number): number {
  return Number.isFinite(r) ? Math.min(Math.max(r, 0), 1 - Number.EPSILON) : 0;
}
