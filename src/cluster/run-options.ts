/**
 * Options of `runJob`/`startJob` and `eddy run`, validated once at the boundary with
 * their defaults written here (checkpoint defaults live in `CheckpointConfig`).
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import type { CheckpointConfigInput } from '../checkpoint/checkpoint-config.js';
import type { CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import type { StorageFaults } from '../checkpoint/storage/checkpoint-storage.js';
import { ConfigError } from '../core/errors.js';
import { jobNameProblem } from '../core/job-name.js';
import { MAX_PARALLELISM_UPPER_BOUND } from '../core/key-groups.js';
import type { JobProgress } from './job-result.js';
import type { JobFailure } from './job-master.js';
import { LOG_FORMATS, LOG_LEVELS } from '../core/logging/logger.js';
import type { LogFormat, LogLevel, Logger } from '../core/logging/logger.js';
import type { RestartStrategyConfig } from '../runtime/failover/restart-strategy.js';
import type { StateBackendConfig, StateBackendKind } from '../state/state-backend-config.js';
import { resolveStateBackendConfig } from '../state/state-backend-config-schema.js';
import { SYSTEM_CLOCK } from '../runtime/time/processing-time-service.js';
import type { Clock } from '../runtime/time/processing-time-service.js';

/**
 * The `testing` option: settings a test or benchmark needs and a user never does. Users
 * leave it out; the defaults below are the production values.
 */
const testingSchema = z
  .object({
    /** Records per network buffer. @default 512 */
    batchSize: z.number().int().min(1).default(512),
    /** Buffers granted per channel (credit-based flow control). @default 4 */
    credits: z.number().int().min(1).default(4),
    /** Longest wait (ms) of a partly filled buffer. @default 50 */
    flushIntervalMs: z.number().min(0).default(50),
    /** Fault injection: make checkpoint storage writes fail (docs/CHECKPOINTS.md). */
    storageFaults: z.custom<StorageFaults>((v) => typeof v === 'object' && v !== null).optional(),
    /**
     * Where the tasks' processing time comes from (timers, periodic watermarks, idleness):
     * e.g. a `ManualClock` from `eddy/testing`. Only with `execution: 'single-thread'`
     * (a clock object cannot be sent to worker threads). @default the system clock
     */
    clock: z.custom<Clock>((v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function', 'expected a Clock (an object with now())').optional(),
  })
  .strict();

/** What `RunOptions.testing` accepts. */
export type TestingOptions = z.input<typeof testingSchema>;

const schema = z
  .object({
    /** Default parallelism of every operator; overrides the job's `env.setParallelism`. */
    parallelism: z.number().int().min(1).optional(),
    /** maxParallelism (number of key groups); overrides the job's `env.setMaxParallelism`. */
    maxParallelism: z.number().int().min(1).max(MAX_PARALLELISM_UPPER_BOUND).optional(),
    /** Job parameters, read with `env.getParameter` / `ctx.getParameter`. */
    parameters: z.union([z.record(z.string(), z.string()), z.instanceof(Map)]).optional(),
    /** `'threads'`: tasks on worker threads; `'single-thread'`: all on the calling thread. */
    execution: z.enum(['threads', 'single-thread']).default('threads'),
    /** Worker threads of the local cluster. @default the number of cores */
    slots: z.number().int().min(1).default(() => availableParallelism()),
    /** URL or path of the job's module, when it cannot be found from the job itself. */
    jobModule: z.string().optional(),
    /** Checkpoint settings; override the job's own (see docs/CHECKPOINTS.md). */
    checkpoint: z.custom<CheckpointConfigInput>((v) => typeof v === 'object' && v !== null).optional(),
    /** How to restart after a failure; overrides the job's own. */
    restartStrategy: z.custom<RestartStrategyConfig>((v) => typeof v === 'object' && v !== null).optional(),
    /** Shortcut for a fixed-delay restart strategy with this many attempts (`--restart-attempts`). */
    restartAttempts: z.number().int().min(0).optional(),
    /**
     * Where keyed state lives (`--state-backend`): `'hashmap'` (the JS heap), `'rocksdb'`
     * (embedded RocksDB, needs librocksdb), or a config with the backend's settings, e.g.
     * `{ kind: 'rocksdb', incrementalCheckpoints: false }`. The job itself never chooses.
     * @default 'hashmap'
     */
    stateBackend: z.custom<StateBackendKind | StateBackendConfig>(() => true).optional(),
    /**
     * A checkpoint or savepoint to start from: its directory or `_metadata` file, or a run's
     * checkpoint directory (`<checkpoint-dir>/<job-id>`: its newest valid checkpoint).
     */
    fromSavepoint: z.string().optional(),
    /**
     * Start from where the newest earlier run of this job (by name) in the checkpoint
     * directory stood, or fresh when there is none (`--resume`; rule: docs/CHECKPOINTS.md).
     * Needs checkpointing; not with `fromSavepoint`. @default false
     */
    resume: z.boolean().default(false),
    /**
     * The job's name (`--job-name`): what `resume` looks for, shown by `eddy list` and the
     * REST API; overrides the job's `env.setJobName`. @default the job module's file name without extension
     */
    jobName: z
      .string()
      .optional()
      .superRefine((name, ctx) => {
        const problem = name === undefined ? undefined : jobNameProblem(name);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    /**
     * Default parent directory of savepoints (the first `--savepoint-dir`), relative to the
     * working directory unless absolute; overrides the job's `env.setDefaultSavepointDirectory`.
     * Once a savepoint directory is configured (here, in `savepointRoots` or by the job),
     * savepoints may only be written inside the configured ones (and the checkpoint directory).
     */
    savepointDirectory: z.string().min(1).optional(),
    /** More directories savepoints may be written under (the further `--savepoint-dir`s); see `savepointDirectory`. */
    savepointRoots: z.array(z.string().min(1)).optional(),
    /**
     * Serve the job over the REST API (docs/REST.md) on 127.0.0.1 while it runs; its URL
     * is `JobClient.restUrl`. `port` 0 picks a free port (default 8081); `allowedHosts`
     * are names accepted in the `Host` header besides the loopback ones.
     */
    rest: z
      .object({
        port: z.number().int().min(0).max(65535).optional(),
        allowedHosts: z.array(z.string().min(1)).optional(),
      })
      .strict()
      .optional(),
    /** With `fromSavepoint`: drop state of operators the job no longer has instead of failing. */
    allowNonRestoredState: z.boolean().default(false),
    /**
     * How long (ms) a worker thread may take to cancel its tasks (operators' `close()`,
     * keyed backends disposed) before a watchdog terminates it, with a warning naming the
     * thread (Flink's `task.cancellation.timeout`). @default 5000
     */
    cancelTimeoutMs: z.number().int().min(1).default(5_000),
    /**
     * The pino logger of the run: failures, clean-ups that failed and throwing callbacks are
     * logged here, with `job`, `operator`, `subtask` and `attempt` fields. Worker threads'
     * records come through it too. @default a logger on stderr built from `logLevel` and `logFormat`
     */
    logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null && typeof (v as Logger).child === 'function' && typeof (v as Logger).error === 'function', 'expected a pino logger').optional(),
    /** Level of the default logger (`--log-level`); ignored when `logger` is given. @default 'info' */
    logLevel: z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]]).default('info'),
    /** Format of the default logger (`--log-format`): `'pretty'` lines or `'json'` (one object per line). @default 'pretty' */
    logFormat: z.enum(LOG_FORMATS as [LogFormat, ...LogFormat[]]).default('pretty'),
    /** Told about things worth knowing that do not stop the job (e.g. a broken checkpoint skipped). @default process.emitWarning */
    onWarning: z.custom<(message: string) => void>((v) => typeof v === 'function').optional(),
    /**
     * Called each time an attempt of the job fails (whether or not it restarts), with the
     * failure, its exception history entry and how many identical failures came in a row.
     */
    onFailure: z.custom<(failure: JobFailure) => void>((v) => typeof v === 'function').optional(),
    /** Called when a checkpoint completes or is aborted. A callback that throws is logged and does not stop the job (likewise `onProgress`, `onFailure`, `onWarning`). */
    onCheckpoint: z.custom<(stats: CheckpointStats) => void>((v) => typeof v === 'function').optional(),
    /** Called every `progressIntervalMs` while the job runs. */
    onProgress: z.custom<(p: JobProgress) => void>((v) => typeof v === 'function').optional(),
    progressIntervalMs: z.number().int().min(10).default(1000),
    /** Knobs for tests and benchmarks (data-path sizes, fault injection, a manual clock); see {@link TestingOptions}. */
    testing: testingSchema.default(() => testingSchema.parse({})),
  })
  .strict();

/** What `runJob` accepts. */
export type RunOptions = z.input<typeof schema>;
/** Options after validation and defaults. */
export type ResolvedRunOptions = Omit<z.output<typeof schema>, 'stateBackend'> & {
  parameters: ReadonlyMap<string, string>;
  stateBackend: StateBackendConfig;
};

/** Validates options and fills in defaults; throws {@link ConfigError} naming the bad option. */
export function resolveRunOptions(options: RunOptions = {}): ResolvedRunOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.') || 'options';
    throw new ConfigError(`invalid option '${path}': ${issue.message}`);
  }
  const { testing, execution } = parsed.data;
  if (testing.clock !== undefined && testing.clock !== SYSTEM_CLOCK && execution !== 'single-thread') {
    throw new ConfigError(
      "invalid option 'testing.clock': a custom clock only works with execution: 'single-thread' (a Clock cannot be sent to worker threads); pass { execution: 'single-thread' }",
    );
  }
  const p = parsed.data.parameters;
  const parameters = p instanceof Map ? new Map([...p].map(([k, v]) => [String(k), String(v)])) : new Map(Object.entries(p ?? {}));
  const stateBackend = resolveStateBackendConfig(parsed.data.stateBackend);
  return { ...parsed.data, parameters, stateBackend };
}
