/**
 * Restart strategy configurations: plain data (they cross threads and sit in `runJob`
 * options), one discriminated union validated here with the defaults written once.
 * {@link RestartStrategies} builds them the way Flink's `RestartStrategies` does.
 */
import { z } from 'zod';
import { describeConfigIssue } from '../../core/config-issue.js';
import { ConfigError } from '../../core/errors.js';

/** Never restart: the first failure fails the job (Flink's `none`). */
export interface NoRestartConfig {
  readonly type: 'none';
}

/** Restart up to `attempts` times, waiting `delayMs` before each restart (Flink's `fixed-delay`). */
export interface FixedDelayRestartConfig {
  readonly type: 'fixed-delay';
  /** Restarts allowed; the failure after the last one fails the job. @default 1 */
  readonly attempts?: number;
  /** Wait before each restart, in ms. @default 1000 */
  readonly delayMs?: number;
}

/**
 * Restart with a delay that grows by `multiplier` from `initialDelayMs` up to `maxDelayMs`,
 * and goes back to `initialDelayMs` once the job has run `resetBackoffThresholdMs` without
 * failing (Flink's `exponential-delay`).
 */
export interface ExponentialDelayRestartConfig {
  readonly type: 'exponential-delay';
  /** Delay before the first restart, in ms (at least 1). @default 1000 */
  readonly initialDelayMs?: number;
  /** Longest delay, in ms (at least `initialDelayMs`). @default 60000 (1 min, Flink ≥ 1.19) */
  readonly maxDelayMs?: number;
  /** Factor from one delay to the next (greater than 1). @default 1.5 (Flink ≥ 1.19) */
  readonly multiplier?: number;
  /** A job that ran this long (ms) after its last restart starts again from `initialDelayMs`. @default 3600000 (1 h) */
  readonly resetBackoffThresholdMs?: number;
  /** Each delay moves randomly by up to this fraction of itself, 0..1, so jobs do not restart in lockstep. @default 0.1 */
  readonly jitterFactor?: number;
  /** Restarts allowed between two resets; absent = unlimited. @default unlimited */
  readonly attempts?: number;
}

/**
 * Restart after `delayMs` unless more than `maxFailuresPerInterval` failures fall within
 * the last `intervalMs` (Flink's `failure-rate`).
 */
export interface FailureRateRestartConfig {
  readonly type: 'failure-rate';
  /** Failures tolerated within any window of `intervalMs`; one more fails the job. @default 1 */
  readonly maxFailuresPerInterval?: number;
  /** Length of the sliding window, in ms. @default 60000 (1 min) */
  readonly intervalMs?: number;
  /** Wait before each restart, in ms. @default 1000 */
  readonly delayMs?: number;
}

/** How a job restarts after a failure: one of the four strategies, as plain data. */
export type RestartStrategyConfig =
  | NoRestartConfig
  | FixedDelayRestartConfig
  | ExponentialDelayRestartConfig
  | FailureRateRestartConfig;

/** The kinds of restart strategy (the `type` of a {@link RestartStrategyConfig}). */
export type RestartStrategyType = RestartStrategyConfig['type'];

/** A {@link RestartStrategyConfig} after validation, with every default filled in. */
export type ResolvedRestartStrategyConfig =
  | NoRestartConfig
  | Required<FixedDelayRestartConfig>
  | (Required<Omit<ExponentialDelayRestartConfig, 'attempts'>> & Pick<ExponentialDelayRestartConfig, 'attempts'>)
  | Required<FailureRateRestartConfig>;

/** The resolved configuration of one kind of strategy, e.g. `ResolvedRestartConfigOf<'fixed-delay'>`. */
export type ResolvedRestartConfigOf<T extends RestartStrategyType> = Extract<ResolvedRestartStrategyConfig, { readonly type: T }>;

/** Wait before a restart when a fixed-delay or failure-rate strategy does not say (Flink: 1 s). */
export const DEFAULT_RESTART_DELAY_MS = 1000;

const ms = z.number().int();

const schema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  z
    .object({
      type: z.literal('fixed-delay'),
      attempts: z.number().int().min(0).default(1),
      delayMs: ms.min(0).default(DEFAULT_RESTART_DELAY_MS),
    })
    .strict(),
  z
    .object({
      type: z.literal('exponential-delay'),
      initialDelayMs: ms.min(1).default(1000),
      maxDelayMs: ms.min(1).default(60_000),
      multiplier: z.number().gt(1).default(1.5),
      resetBackoffThresholdMs: ms.min(1).default(60 * 60_000),
      jitterFactor: z.number().min(0).max(1).default(0.1),
      attempts: z.number().int().min(0).optional(),
    })
    .strict()
    .superRefine((c, ctx) => {
      if (c.initialDelayMs > c.maxDelayMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['initialDelayMs'],
          message: `restart strategy 'exponential-delay': initialDelayMs must not exceed maxDelayMs, got ${c.initialDelayMs} ms > ${c.maxDelayMs} ms`,
        });
      }
    }),
  z
    .object({
      type: z.literal('failure-rate'),
      maxFailuresPerInterval: z.number().int().min(1).default(1),
      intervalMs: ms.min(1).default(60_000),
      delayMs: ms.min(0).default(DEFAULT_RESTART_DELAY_MS),
    })
    .strict(),
]);

const MS_FIELDS: ReadonlySet<string> = new Set(['delayMs', 'initialDelayMs', 'maxDelayMs', 'resetBackoffThresholdMs', 'intervalMs']);

/**
 * Validates a restart strategy configuration and fills in its defaults.
 * @throws {@link ConfigError} naming the strategy and the option, e.g.
 *   `restart strategy 'fixed-delay': attempts must be at least 0, got -1`
 */
export function resolveRestartStrategyConfig<C extends RestartStrategyConfig>(config: C): ResolvedRestartConfigOf<C['type']> {
  const parsed = schema.safeParse(config, { reportInput: true });
  if (parsed.success) return (parsed.data satisfies ResolvedRestartStrategyConfig) as ResolvedRestartConfigOf<C['type']>;
  const issue = parsed.error.issues[0]!;
  const type = typeof config === 'object' && config !== null ? (config as { type?: unknown }).type : undefined;
  const where = typeof type === 'string' && issue.path[0] !== 'type' ? `restart strategy '${type}'` : 'restart strategy';
  if (issue.code === 'custom') throw new ConfigError(issue.message);
  if (issue.path.length === 0 && issue.code === 'invalid_type') {
    throw new ConfigError(`restart strategy must be an object such as { type: 'fixed-delay', attempts: 3 }, got ${config === null ? 'null' : typeof config}`);
  }
  const sentence = describeConfigIssue(issue, {
    name: (path) => (path.length === 0 ? 'options' : path.join('.')),
    unit: (path) => (MS_FIELDS.has(String(path[0])) ? ' ms' : ''),
  });
  throw new ConfigError(`${where}: ${sentence}`);
}

/**
 * Builds restart strategy configurations, mirroring Flink's `RestartStrategies`. Each
 * validates its arguments at once and returns the configuration with every default
 * filled in, e.g. `env.setRestartStrategy(RestartStrategies.fixedDelay(3, 1000))`.
 */
export const RestartStrategies = {
  /** Never restart: the first failure fails the job. */
  noRestart(): ResolvedRestartConfigOf<'none'> {
    return { type: 'none' };
  },
  /**
   * Restart up to `attempts` times, `delayMs` apart.
   * @param delayMs wait before each restart @default 1000
   */
  fixedDelay(attempts: number, delayMs: number = DEFAULT_RESTART_DELAY_MS): ResolvedRestartConfigOf<'fixed-delay'> {
    return resolveRestartStrategyConfig({ type: 'fixed-delay', attempts, delayMs });
  },
  /** Restart with exponentially growing delays; see {@link ExponentialDelayRestartConfig} for the options. */
  exponentialDelay(options: Omit<ExponentialDelayRestartConfig, 'type'> = {}): ResolvedRestartConfigOf<'exponential-delay'> {
    return resolveRestartStrategyConfig({ ...options, type: 'exponential-delay' });
  },
  /**
   * Restart after `delayMs` unless more than `maxFailures` failures fall within `intervalMs`.
   * @param delayMs wait before each restart @default 1000
   */
  failureRate(
    maxFailures: number,
    intervalMs: number,
    delayMs: number = DEFAULT_RESTART_DELAY_MS,
  ): ResolvedRestartConfigOf<'failure-rate'> {
    return resolveRestartStrategyConfig({ type: 'failure-rate', maxFailuresPerInterval: maxFailures, intervalMs, delayMs });
  },
} as const;

/**
 * The strategy of a job that sets none, as Flink ≥ 1.19 chooses it: `none` when
 * checkpointing is off (a restart would start from scratch and re-emit everything),
 * `exponential-delay` with its defaults when it is on (unlimited restarts, 1 s growing
 * ×1.5 up to 1 min with 10 % jitter, reset after 1 h of running).
 */
export function defaultRestartStrategy(checkpointingEnabled: boolean): ResolvedRestartStrategyConfig {
  return checkpointingEnabled ? RestartStrategies.exponentialDelay() : RestartStrategies.noRestart();
}

/**
 * The strategy behind `--restart-attempts N` (`runJob({ restartAttempts })`): fixed-delay
 * with `n` attempts and Flink's default fixed-delay wait of 1 s.
 * @param delayMs wait before each restart (a `--restart-delay` flag) @default 1000
 */
export function restartAttemptsShortcut(n: number, delayMs: number = DEFAULT_RESTART_DELAY_MS): ResolvedRestartConfigOf<'fixed-delay'> {
  if (!Number.isInteger(n) || n < 0) {
    throw new ConfigError(`--restart-attempts must be a whole number of at least 0, got ${String(n)}`);
  }
  if (!Number.isInteger(delayMs) || delayMs < 0) {
    throw new ConfigError(`--restart-delay must be a whole number of ms of at least 0, got ${String(delayMs)}`);
  }
  return RestartStrategies.fixedDelay(n, delayMs);
}
