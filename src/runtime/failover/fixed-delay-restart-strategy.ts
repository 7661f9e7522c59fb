import type { RestartStrategy } from './restart-strategy.js';
import type { ResolvedRestartConfigOf } from './restart-strategy-config.js';

/**
 * Restarts up to `attempts` times, each after `delayMs`; the failure after the last
 * attempt fails the job. Failures are never forgotten (Flink's
 * `FixedDelayRestartBackoffTimeStrategy`).
 */
export class FixedDelayRestartStrategy implements RestartStrategy {
  readonly description: string;
  private failures = 0;

  constructor(private readonly config: ResolvedRestartConfigOf<'fixed-delay'>) {
    const { attempts, delayMs } = config;
    this.description = `fixed-delay (${attempts} attempt${attempts === 1 ? '' : 's'}, ${delayMs} ms apart)`;
  }

  /** `delayMs` for each of the first `attempts` failures, then `undefined`. */
  onFailure(): number | undefined {
    this.failures++;
    return this.failures <= this.config.attempts ? this.config.delayMs : undefined;
  }
}
