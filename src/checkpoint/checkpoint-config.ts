/**
 * The checkpoint settings of a job (DESIGN §5), validated once with their defaults written
 * here. Settings arrive in layers — the job's own (`env.enableCheckpointing`,
 * `env.configureCheckpointing`), then `runJob` options and the command line — and
 * {@link resolveCheckpointConfig} lets a later layer override an earlier one setting by
 * setting. See docs/RECOVERY.md for the table of settings and flags.
 */
import { z } from 'zod';
import { describeConfigIssue } from '../core/config-issue.js';
import { ConfigError } from '../core/errors.js';

/** Shortest checkpoint interval and timeout, in ms (Flink's `MINIMAL_CHECKPOINT_TIME`). */
export const MIN_CHECKPOINT_INTERVAL_MS = 10;

/** How a checkpoint treats records that arrive on channels whose barrier already came. */
export type CheckpointingMode = 'exactly-once' | 'at-least-once';

/** What happens to retained checkpoints when the job is canceled. */
export type CheckpointRetention = 'delete' | 'retain';

/** Checkpoint settings after validation, every one with its value. */
export interface CheckpointConfig {
  /**
   * Time between the triggers of two periodic checkpoints, in ms; `undefined` turns
   * periodic checkpointing off. At least {@link MIN_CHECKPOINT_INTERVAL_MS}.
   * @default undefined (off)
   */
  readonly interval: number | undefined;
  /**
   * `'exactly-once'` aligns barriers (a task blocks channels whose barrier arrived);
   * `'at-least-once'` never blocks, so replay after a failure may duplicate records.
   * @default 'exactly-once'
   */
  readonly mode: CheckpointingMode;
  /** A checkpoint still pending after this many ms is aborted. @default 600000 (10 min) */
  readonly timeoutMs: number;
  /**
   * Least time between the end of one checkpoint and the trigger of the next, in ms.
   * When above 0, {@link CheckpointConfig.maxConcurrent} must be 1.
   * @default 0
   */
  readonly minPauseMs: number;
  /** Checkpoints in flight at once. @default 1 */
  readonly maxConcurrent: number;
  /** Checkpoint failures in a row that do not fail the job. @default 0 */
  readonly tolerableFailures: number;
  /** Completed checkpoints kept on storage; older ones are deleted when subsumed. @default 1 */
  readonly retained: number;
  /**
   * Unaligned checkpoints: barriers overtake in-flight data, which is stored as channel
   * state. Exactly-once only. Accepted here; the runtime may not offer it yet.
   * @default false
   */
  readonly unaligned: boolean;
  /**
   * With {@link CheckpointConfig.unaligned}: a checkpoint starts aligned and switches to
   * unaligned when alignment takes longer than this many ms; 0 = unaligned from the start.
   * @default 0
   */
  readonly alignedTimeoutMs: number;
  /** Whether retained checkpoints are deleted or kept when the job is canceled. @default 'delete' */
  readonly retentionOnCancel: CheckpointRetention;
  /**
   * Where checkpoints are written (`<directory>/<job-id>/chk-<n>/`), relative to the
   * working directory unless absolute.
   * @default 'checkpoints'
   */
  readonly directory: string;
}

/**
 * Checkpoint settings as a job or a caller gives them: any subset. An absent or
 * `undefined` setting keeps the value of an earlier layer (or the default);
 * `interval: null` turns checkpointing off even when an earlier layer turned it on.
 */
export type CheckpointConfigInput = {
  readonly [K in keyof CheckpointConfig]?: K extends 'interval' ? number | null : CheckpointConfig[K];
};

/** The command-line flag of each setting, used in error messages (DESIGN §8). */
export const CHECKPOINT_OPTION_FLAGS: Readonly<Record<keyof CheckpointConfig, string>> = {
  interval: '--checkpoint-interval',
  mode: '--checkpointing-mode',
  timeoutMs: '--checkpoint-timeout',
  minPauseMs: '--min-pause',
  maxConcurrent: '--max-concurrent-checkpoints',
  tolerableFailures: '--tolerable-failures',
  retained: '--retained-checkpoints',
  unaligned: '--unaligned',
  alignedTimeoutMs: '--aligned-timeout',
  retentionOnCancel: '--retention-on-cancel',
  directory: '--checkpoint-dir',
};

const MS_SETTINGS: ReadonlySet<string> = new Set(['interval', 'timeoutMs', 'minPauseMs', 'alignedTimeoutMs']);

const schema = z
  .object({
    interval: z
      .number()
      .int()
      .min(MIN_CHECKPOINT_INTERVAL_MS)
      .nullable()
      .optional()
      .transform((v) => v ?? undefined),
    mode: z.enum(['exactly-once', 'at-least-once']).default('exactly-once'),
    timeoutMs: z.number().int().min(MIN_CHECKPOINT_INTERVAL_MS).default(10 * 60_000),
    minPauseMs: z.number().int().min(0).default(0),
    maxConcurrent: z.number().int().min(1).default(1),
    tolerableFailures: z.number().int().min(0).default(0),
    retained: z.number().int().min(1).default(1),
    unaligned: z.boolean().default(false),
    alignedTimeoutMs: z.number().int().min(0).default(0),
    retentionOnCancel: z.enum(['delete', 'retain']).default('delete'),
    directory: z.string().min(1).default('checkpoints'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const f = CHECKPOINT_OPTION_FLAGS;
    // As Flink: a min pause means the next checkpoint waits for the previous one to end.
    if (c.minPauseMs > 0 && c.maxConcurrent !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxConcurrent'],
        message:
          `${f.maxConcurrent} must be 1 when ${f.minPauseMs} is above 0, got ${c.maxConcurrent} ` +
          `with a min pause of ${c.minPauseMs} ms (checkpoint settings 'maxConcurrent', 'minPauseMs')`,
      });
    }
    if (c.alignedTimeoutMs > 0 && !c.unaligned) {
      ctx.addIssue({
        code: 'custom',
        path: ['alignedTimeoutMs'],
        message:
          `${f.alignedTimeoutMs} requires ${f.unaligned} (it is when aligned checkpoints switch to unaligned), ` +
          `got ${c.alignedTimeoutMs} ms with unaligned off (checkpoint settings 'alignedTimeoutMs', 'unaligned')`,
      });
    }
    if (c.unaligned && c.mode !== 'exactly-once') {
      ctx.addIssue({
        code: 'custom',
        path: ['unaligned'],
        message:
          `${f.unaligned} requires ${f.mode} exactly-once, got '${c.mode}' ` +
          `(checkpoint settings 'unaligned', 'mode')`,
      });
    }
  });

/**
 * Merges checkpoint settings layer by layer — later layers override earlier ones, e.g.
 * `resolveCheckpointConfig(jobSettings, commandLine)` — fills in the defaults and
 * validates the result.
 * @throws {@link ConfigError} naming the setting by its flag and its field, e.g.
 *   `--checkpoint-interval must be at least 10 ms, got 5 (checkpoint setting 'interval')`
 */
export function resolveCheckpointConfig(...layers: (CheckpointConfigInput | undefined)[]): CheckpointConfig {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (typeof layer !== 'object' || layer === null || Array.isArray(layer)) {
      throw new ConfigError(`checkpoint settings must be an object, got ${layer === null ? 'null' : typeof layer}`);
    }
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) merged[key] = value;
    }
  }
  const parsed = schema.safeParse(merged, { reportInput: true });
  if (parsed.success) return { ...parsed.data, interval: parsed.data.interval } satisfies CheckpointConfig;
  const issue = parsed.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') {
    const known = Object.keys(CHECKPOINT_OPTION_FLAGS).join(', ');
    throw new ConfigError(`unknown checkpoint setting ${issue.keys.map((k) => `'${k}'`).join(', ')}; the settings are ${known}`);
  }
  throw new ConfigError(
    describeConfigIssue(issue, {
      name: (path) => CHECKPOINT_OPTION_FLAGS[path[0] as keyof CheckpointConfig] ?? String(path[0]),
      unit: (path) => (MS_SETTINGS.has(String(path[0])) ? ' ms' : ''),
      suffix: (path) => ` (checkpoint setting '${String(path[0])}')`,
    }),
  );
}
