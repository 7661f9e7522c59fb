/**
 * Restart strategies decide, after each failure of a job, whether it restarts and after
 * how long (DESIGN §6). They are small stateful objects over an injectable clock, so the
 * job master asks them and tests drive them without real timers. Their configurations
 * are plain data: see {@link RestartStrategyConfig} and {@link RestartStrategies}.
 */
import { ExponentialDelayRestartStrategy } from './exponential-delay-restart-strategy.js';
import { FailureRateRestartStrategy } from './failure-rate-restart-strategy.js';
import { FixedDelayRestartStrategy } from './fixed-delay-restart-strategy.js';
import { NoRestartStrategy } from './no-restart-strategy.js';
import { resolveRestartStrategyConfig } from './restart-strategy-config.js';
import type { RestartStrategyConfig } from './restart-strategy-config.js';

export {
  DEFAULT_RESTART_DELAY_MS,
  RestartStrategies,
  defaultRestartStrategy,
  resolveRestartStrategyConfig,
  restartAttemptsShortcut,
} from './restart-strategy-config.js';
export type {
  ExponentialDelayRestartConfig,
  FailureRateRestartConfig,
  FixedDelayRestartConfig,
  NoRestartConfig,
  ResolvedRestartConfigOf,
  ResolvedRestartStrategyConfig,
  RestartStrategyConfig,
  RestartStrategyType,
} from './restart-strategy-config.js';

/** Decides whether and when a failed job restarts. One instance follows one job over all its attempts. */
export interface RestartStrategy {
  /** What the strategy does, for logs and the job result, e.g. `fixed-delay (3 attempts, 1000 ms apart)`. */
  readonly description: string;
  /**
   * Records a failure at time `now`; returns the delay in ms before restarting, or
   * `undefined` when no more restarts are allowed (the job then fails and the strategy
   * is not asked again).
   * @param now the time of the failure in ms @default the strategy's clock
   */
  onFailure(now?: number): number | undefined;
  /**
   * Called when the job has run stably, e.g. after a checkpoint completed. As in Flink,
   * none of the built-in strategies forgets failures on success (exponential-delay resets
   * by elapsed time instead), so they leave this out; it is a hook for other strategies.
   */
  onSuccess?(now?: number): void;
}

/** What a restart strategy reads from its surroundings; tests inject both. */
export interface RestartStrategyEnvironment {
  /** The clock, in ms. @default Date.now */
  readonly now?: () => number;
  /** Random numbers in [0, 1) for exponential-delay's jitter; a seeded source makes it deterministic. @default Math.random */
  readonly random?: () => number;
}

/**
 * Creates the restart strategy a configuration describes.
 * @throws {@link ConfigError} when the configuration is invalid, naming the option
 */
export function createRestartStrategy(config: RestartStrategyConfig, env: RestartStrategyEnvironment = {}): RestartStrategy {
  const now = env.now ?? Date.now;
  const random = env.random ?? Math.random;
  const resolved = resolveRestartStrategyConfig(config);
  switch (resolved.type) {
    case 'none':
      return new NoRestartStrategy();
    case 'fixed-delay':
      return new FixedDelayRestartStrategy(resolved);
    case 'exponential-delay':
      return new ExponentialDelayRestartStrategy(resolved, now, random);
    case 'failure-rate':
      return new FailureRateRestartStrategy(resolved, now);
  }
}
