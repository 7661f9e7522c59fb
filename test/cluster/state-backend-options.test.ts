/**
 * Choosing the state backend at the boundary: `RunOptions.stateBackend` (a kind name or a
 * config), validated once with messages that name the option, what it must be and what it
 * was; and the `eddy run` flags that build it, where rocksdb settings without the rocksdb
 * backend are a usage error.
 */
import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { addStateBackendFlags, stateBackendFromFlags } from '../../src/cli/state-backend-flags.js';
import { resolveRunOptions } from '../../src/cluster/run-options.js';
import type { RunOptions } from '../../src/cluster/run-options.js';
import { ConfigError } from '../../src/core/errors.js';

const MiB = 1024 * 1024;

/** The message of the ConfigError `resolveRunOptions` throws for `stateBackend`. */
function rejection(stateBackend: unknown): string {
  try {
    resolveRunOptions({ stateBackend } as RunOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`stateBackend ${JSON.stringify(stateBackend)} was accepted`);
}

describe('RunOptions.stateBackend', () => {
  it('defaults to the hashmap backend', () => {
    expect(resolveRunOptions({}).stateBackend).toEqual({ kind: 'hashmap' });
  });

  it('takes a kind name for that backend with its defaults', () => {
    expect(resolveRunOptions({ stateBackend: 'hashmap' }).stateBackend).toEqual({ kind: 'hashmap' });
    expect(resolveRunOptions({ stateBackend: 'rocksdb' }).stateBackend).toEqual({ kind: 'rocksdb' });
  });

  it('takes a rocksdb config with its settings as they are, leaving unset ones to the backend', () => {
    const config = { kind: 'rocksdb', localDirectory: '/tmp/x', incrementalCheckpoints: false, memoryBytes: 64 * MiB, writeBufferRatio: 0.25 } as const;
    expect(resolveRunOptions({ stateBackend: config }).stateBackend).toEqual(config);
    expect(resolveRunOptions({ stateBackend: { kind: 'rocksdb', incrementalCheckpoints: true } }).stateBackend).toEqual({
      kind: 'rocksdb',
      incrementalCheckpoints: true,
    });
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown name', 'heap', /invalid option 'stateBackend': must be one of 'hashmap', 'rocksdb' or a config object .*, got 'heap'/],
    ['a number', 42, /invalid option 'stateBackend': must be one of 'hashmap', 'rocksdb' .*, got 42/],
    ['null', null, /invalid option 'stateBackend': .*, got null/],
    ['an unknown kind', { kind: 'memory' }, /invalid option 'stateBackend': kind must be one of 'hashmap', 'rocksdb', got 'memory'/],
    ['a config without kind', { memoryBytes: 64 * MiB }, /kind must be one of 'hashmap', 'rocksdb', got undefined/],
    ['a rocksdb setting on hashmap', { kind: 'hashmap', localDirectory: '/tmp/x' }, /localDirectory applies only to the rocksdb state backend, and kind is 'hashmap'/],
    ['memory given in MB instead of bytes', { kind: 'rocksdb', memoryBytes: 256 }, /memoryBytes must be at least 1048576 bytes, got 256/],
    ['a fractional memory budget', { kind: 'rocksdb', memoryBytes: 64 * MiB + 0.5 }, /memoryBytes must be a whole number, got 67108864\.5/],
    ['a write buffer ratio of 1', { kind: 'rocksdb', writeBufferRatio: 1 }, /writeBufferRatio must be less than 1, got 1/],
    ['a write buffer ratio of 0', { kind: 'rocksdb', writeBufferRatio: 0 }, /writeBufferRatio must be greater than 0, got 0/],
    ['an empty local directory', { kind: 'rocksdb', localDirectory: '' }, /localDirectory must not be empty/],
    ['a non-boolean incremental flag', { kind: 'rocksdb', incrementalCheckpoints: 'no' }, /incrementalCheckpoints must be true or false, got 'no'/],
    ['an unknown setting', { kind: 'rocksdb', blockSize: 4096 }, /unknown option 'blockSize'/],
  ])('rejects %s with a ConfigError naming the setting', (_what, value, message) => {
    expect(rejection(value)).toMatch(message);
  });
});

/** Parses `eddy run`'s state backend flags from `args`. */
function fromFlags(...args: string[]) {
  const command = addStateBackendFlags(new Command('run').exitOverride().configureOutput({ outputError: () => {} }));
  command.parse(args, { from: 'user' });
  return stateBackendFromFlags(command.opts(), command);
}

/** The CommanderError `fromFlags(...args)` throws. */
function usageError(...args: string[]): CommanderError {
  try {
    fromFlags(...args);
  } catch (error) {
    expect(error).toBeInstanceOf(CommanderError);
    return error as CommanderError;
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

describe('the state backend flags of eddy run', () => {
  it('leave the backend to the default without --state-backend', () => {
    expect(fromFlags()).toBeUndefined();
  });

  it('give the named backend', () => {
    expect(fromFlags('--state-backend', 'hashmap')).toBe('hashmap');
    expect(fromFlags('--state-backend', 'rocksdb')).toBe('rocksdb');
  });

  it('give a rocksdb config with the directory, full checkpoints and the memory budget in bytes', () => {
    expect(fromFlags('--state-backend', 'rocksdb', '--rocksdb-dir', '/data/rocks', '--no-incremental-checkpoints', '--rocksdb-memory', '512')).toEqual({
      kind: 'rocksdb',
      localDirectory: '/data/rocks',
      incrementalCheckpoints: false,
      memoryBytes: 512 * MiB,
    });
    expect(fromFlags('--state-backend', 'rocksdb', '--rocksdb-memory', '64')).toEqual({ kind: 'rocksdb', memoryBytes: 64 * MiB });
  });

  it('give a config that RunOptions accepts', () => {
    const stateBackend = fromFlags('--state-backend', 'rocksdb', '--no-incremental-checkpoints');
    expect(resolveRunOptions({ stateBackend }).stateBackend).toEqual({ kind: 'rocksdb', incrementalCheckpoints: false });
  });

  it('reject an unknown backend, naming the option and the allowed values', () => {
    expect(usageError('--state-backend', 'heap').message).toMatch(/--state-backend must be one of hashmap, rocksdb, got 'heap'/);
  });

  it('reject a memory budget that is not a positive whole number of MB', () => {
    for (const value of ['0', '-5', '1.5', 'lots']) {
      expect(usageError('--state-backend', 'rocksdb', '--rocksdb-memory', value).message).toMatch(/--rocksdb-memory must be a positive whole number of MB/);
    }
  });

  it('reject rocksdb settings without --state-backend rocksdb, saying which and why', () => {
    expect(usageError('--rocksdb-dir', '/data').message).toMatch(
      /--rocksdb-dir applies only to the rocksdb state backend, the state backend is hashmap by default; add --state-backend rocksdb/,
    );
    expect(usageError('--state-backend', 'hashmap', '--no-incremental-checkpoints', '--rocksdb-memory', '64').message).toMatch(
      /--no-incremental-checkpoints, --rocksdb-memory apply only to the rocksdb state backend, not to --state-backend hashmap/,
    );
  });
});
