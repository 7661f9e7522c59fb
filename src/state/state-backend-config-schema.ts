/**
 * Validates a state backend choice (`RunOptions.stateBackend`): a kind name or a
 * {@link StateBackendConfig}. Done once at the boundary, so a bad setting fails when the
 * job starts, with the option, what it must be and what it was, instead of in a worker.
 * The rocksdb settings' defaults belong to the backend and are left unset here.
 */
import { z } from 'zod';
import { describeConfigIssue, showValue } from '../core/config-issue.js';
import { ConfigError } from '../core/errors.js';
import { STATE_BACKEND_KINDS } from './state-backend-config.js';
import type { StateBackendConfig, StateBackendKind } from './state-backend-config.js';

/** Least {@link RocksDBStateBackendConfig.memoryBytes}: less is almost surely megabytes given as bytes. */
export const MIN_ROCKSDB_MEMORY_BYTES = 1024 * 1024;

/** The settings only the rocksdb backend has. */
const ROCKSDB_ONLY = ['localDirectory', 'incrementalCheckpoints', 'memoryBytes', 'writeBufferRatio'] as const;

const rocksdb = z
  .object({
    kind: z.literal('rocksdb'),
    localDirectory: z.string().min(1).optional(),
    incrementalCheckpoints: z.boolean().optional(),
    memoryBytes: z.number().int().min(MIN_ROCKSDB_MEMORY_BYTES).max(Number.MAX_SAFE_INTEGER).optional(),
    writeBufferRatio: z.number().gt(0).lt(1).optional(),
  })
  .strict();

const hashmap = z.object({ kind: z.literal('hashmap') }).strict();

/**
 * The backend config for `choice` (a kind name stands for that backend with its defaults).
 *
 * @param choice - `'hashmap'`, `'rocksdb'` or a {@link StateBackendConfig}; @default 'hashmap'
 * @param option - how the option is named in messages
 * @throws {@link ConfigError} e.g. `invalid option 'stateBackend': must be one of 'hashmap',
 *   'rocksdb' or a config object such as { kind: 'rocksdb' }, got 'heap'`, or
 *   `invalid option 'stateBackend': memoryBytes applies only to the rocksdb state backend`
 */
export function resolveStateBackendConfig(
  choice: StateBackendKind | StateBackendConfig | undefined,
  option = 'stateBackend',
): StateBackendConfig {
  const fail = (sentence: string): never => {
    throw new ConfigError(`invalid option '${option}': ${sentence}`);
  };
  if (choice === undefined) return { kind: 'hashmap' };
  if (typeof choice === 'string') {
    if ((STATE_BACKEND_KINDS as readonly string[]).includes(choice)) return { kind: choice };
    return fail(`must be one of ${kindList()} or a config object such as { kind: 'rocksdb' }, got ${showValue(choice)}`);
  }
  if (typeof choice !== 'object' || choice === null || Array.isArray(choice)) {
    return fail(`must be one of ${kindList()} or a config object such as { kind: 'rocksdb' }, got ${choice === null ? 'null' : showValue(choice)}`);
  }
  const kind: unknown = (choice as { kind?: unknown }).kind;
  if (kind === 'hashmap') {
    const misplaced = ROCKSDB_ONLY.find((key) => key in choice);
    if (misplaced !== undefined) fail(`${misplaced} applies only to the rocksdb state backend, and kind is 'hashmap'`);
  } else if (kind !== 'rocksdb') {
    return fail(`kind must be one of ${kindList()}, got ${showValue(kind)}`);
  }
  const parsed = (kind === 'hashmap' ? hashmap : rocksdb).safeParse(choice, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  return fail(
    describeConfigIssue(issue, {
      name: (path) => path.join('.'),
      unit: (path) => (path[0] === 'memoryBytes' ? ' bytes' : ''),
    }),
  );
}

function kindList(): string {
  return STATE_BACKEND_KINDS.map((k) => `'${k}'`).join(', ');
}
