/**
 * The state backend flags of `eddy run`: `--state-backend`, and the rocksdb settings
 * `--rocksdb-dir`, `--no-incremental-checkpoints` and `--rocksdb-memory`. Kept apart from
 * `main.ts` so the rule "rocksdb settings need the rocksdb backend" lives in one place.
 */
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import type { RocksDBStateBackendConfig, StateBackendConfig, StateBackendKind } from '../state/state-backend-config.js';
import { STATE_BACKEND_KINDS } from '../state/state-backend-config.js';

/** The flags as commander parsed them. */
export interface StateBackendFlags {
  stateBackend?: StateBackendKind;
  rocksdbDir?: string;
  /** False with `--no-incremental-checkpoints`; commander sets true when the flag is absent. */
  incrementalCheckpoints?: boolean;
  /** `--rocksdb-memory`, in MiB. */
  rocksdbMemory?: number;
}

/** Bytes in one unit of `--rocksdb-memory` (a MB of 2^20 bytes). */
const MB = 1024 * 1024;

/** Adds the state backend flags to `eddy run`. */
export function addStateBackendFlags(command: Command): Command {
  return command
    .option('--state-backend <name>', `where keyed state lives: ${STATE_BACKEND_KINDS.join(' | ')} (default: hashmap)`, stateBackendKind)
    .option('--rocksdb-dir <dir>', 'with --state-backend rocksdb: local working directory of the RocksDB instances (default: <tmpdir>/eddy-rocksdb)')
    .option('--no-incremental-checkpoints', 'with --state-backend rocksdb: every checkpoint is a full snapshot instead of only the new SST files')
    .option('--rocksdb-memory <MB>', 'with --state-backend rocksdb: memory budget of RocksDB per worker thread, in MB (default: 256)', megabytes);
}

/**
 * The `RunOptions.stateBackend` the flags ask for, or undefined when none was given (the
 * default backend).
 *
 * @param command - the `run` command, to tell `--no-incremental-checkpoints` given from its default
 * @throws InvalidArgumentError when a rocksdb setting is given without `--state-backend rocksdb`
 */
export function stateBackendFromFlags(flags: StateBackendFlags, command: Command): StateBackendKind | StateBackendConfig | undefined {
  const given: [string, Partial<RocksDBStateBackendConfig>][] = [];
  if (flags.rocksdbDir !== undefined) given.push(['--rocksdb-dir', { localDirectory: flags.rocksdbDir }]);
  if (command.getOptionValueSource('incrementalCheckpoints') === 'cli' && flags.incrementalCheckpoints === false) {
    given.push(['--no-incremental-checkpoints', { incrementalCheckpoints: false }]);
  }
  if (flags.rocksdbMemory !== undefined) given.push(['--rocksdb-memory', { memoryBytes: flags.rocksdbMemory * MB }]);
  if (flags.stateBackend !== 'rocksdb') {
    if (given.length > 0) {
      const names = given.map(([name]) => name).join(', ');
      const why = flags.stateBackend === undefined ? 'the state backend is hashmap by default; add --state-backend rocksdb' : 'not to --state-backend hashmap';
      throw new InvalidArgumentError(`${names} ${given.length > 1 ? 'apply' : 'applies'} only to the rocksdb state backend, ${why}`);
    }
    return flags.stateBackend;
  }
  if (given.length === 0) return 'rocksdb';
  return Object.assign({ kind: 'rocksdb' as const }, ...given.map(([, settings]) => settings)) as RocksDBStateBackendConfig;
}

function megabytes(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n * MB) || n < 1) {
    throw new InvalidArgumentError(`--rocksdb-memory must be a positive whole number of MB, got '${value}'`);
  }
  return n;
}

function stateBackendKind(value: string): StateBackendKind {
  if (!(STATE_BACKEND_KINDS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--state-backend must be one of ${STATE_BACKEND_KINDS.join(', ')}, got '${value}'`);
  }
  return value as StateBackendKind;
}
