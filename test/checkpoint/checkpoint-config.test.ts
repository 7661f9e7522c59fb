import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_OPTION_FLAGS, resolveCheckpointConfig } from '../../src/checkpoint/checkpoint-config.js';
import type { CheckpointConfigInput } from '../../src/checkpoint/checkpoint-config.js';
import { ConfigError } from '../../src/core/errors.js';

function errorOf(...layers: unknown[]): ConfigError {
  try {
    resolveCheckpointConfig(...(layers as CheckpointConfigInput[]));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('resolveCheckpointConfig', () => {
  it('gives the defaults of DESIGN §5 when no layer sets anything', () => {
    expect(resolveCheckpointConfig()).toEqual({
      interval: undefined,
      mode: 'exactly-once',
      timeoutMs: 600_000,
      minPauseMs: 0,
      maxConcurrent: 1,
      tolerableFailures: 0,
      retained: 1,
      unaligned: false,
      alignedTimeoutMs: 0,
      retentionOnCancel: 'delete',
      directory: 'checkpoints',
    });
    expect(resolveCheckpointConfig(undefined, {}, undefined)).toEqual(resolveCheckpointConfig());
  });

  it('lets a later layer override an earlier one setting by setting', () => {
    const job: CheckpointConfigInput = { interval: 5000, retained: 3, mode: 'at-least-once' };
    const commandLine: CheckpointConfigInput = { interval: 100, directory: '/tmp/chk' };
    const config = resolveCheckpointConfig(job, commandLine);
    expect(config.interval).toBe(100);
    expect(config.retained).toBe(3);
    expect(config.mode).toBe('at-least-once');
    expect(config.directory).toBe('/tmp/chk');
    expect(config.timeoutMs).toBe(600_000);
  });

  it('keeps the earlier value when a later layer leaves a setting undefined', () => {
    expect(resolveCheckpointConfig({ interval: 1000 }, { interval: undefined }).interval).toBe(1000);
  });

  it('turns checkpointing off when a later layer sets the interval to null', () => {
    expect(resolveCheckpointConfig({ interval: 1000 }, { interval: null }).interval).toBeUndefined();
  });

  it('accepts unaligned checkpoints with an aligned timeout', () => {
    const config = resolveCheckpointConfig({ interval: 50, unaligned: true, alignedTimeoutMs: 200 });
    expect(config.unaligned).toBe(true);
    expect(config.alignedTimeoutMs).toBe(200);
  });

  it('rejects an interval below 10 ms naming the flag, the bound and the value', () => {
    const error = errorOf({ interval: 5 });
    expect(error.message).toMatch(/^--checkpoint-interval must be at least 10 ms, got 5/);
    expect(error.message).toContain("'interval'");
  });

  it('rejects each setting with a bad value, naming its flag', () => {
    const cases: [CheckpointConfigInput, RegExp][] = [
      [{ interval: 10.5 }, /--checkpoint-interval must be a whole number, got 10.5/],
      [{ mode: 'exactly-twice' as 'exactly-once' }, /--checkpointing-mode must be one of 'exactly-once', 'at-least-once', got 'exactly-twice'/],
      [{ timeoutMs: 0 }, /--checkpoint-timeout must be at least 10 ms, got 0/],
      [{ minPauseMs: -1 }, /--min-pause must be at least 0 ms, got -1/],
      [{ maxConcurrent: 0 }, /--max-concurrent-checkpoints must be at least 1, got 0/],
      [{ tolerableFailures: -2 }, /--tolerable-failures must be at least 0, got -2/],
      [{ retained: 0 }, /--retained-checkpoints must be at least 1, got 0/],
      [{ unaligned: 'yes' as unknown as boolean }, /--unaligned must be true or false, got 'yes'/],
      [{ alignedTimeoutMs: -5 }, /--aligned-timeout must be at least 0 ms, got -5/],
      [{ retentionOnCancel: 'keep' as 'retain' }, /--retention-on-cancel must be one of 'delete', 'retain', got 'keep'/],
      [{ directory: '' }, /--checkpoint-dir must not be empty, got ''/],
      [{ interval: '1000' as unknown as number }, /--checkpoint-interval must be a finite number, got '1000'/],
    ];
    for (const [layer, message] of cases) expect(errorOf(layer).message).toMatch(message);
  });

  it('validates the value a later layer brings', () => {
    expect(errorOf({ retained: 2 }, { retained: 0 }).message).toMatch(/--retained-checkpoints must be at least 1, got 0/);
  });

  it('rejects an unknown setting and lists the known ones', () => {
    const error = errorOf({ intervall: 1000 });
    expect(error.message).toMatch(/unknown checkpoint setting 'intervall'/);
    expect(error.message).toContain('interval, mode, timeoutMs');
  });

  it('rejects a layer that is not an object', () => {
    expect(errorOf(5).message).toBe('checkpoint settings must be an object, got number');
  });

  it('requires at most one concurrent checkpoint when a min pause is set, as Flink', () => {
    const error = errorOf({ minPauseMs: 500 }, { maxConcurrent: 2 });
    expect(error.message).toMatch(/^--max-concurrent-checkpoints must be 1 when --min-pause is above 0, got 2/);
    expect(resolveCheckpointConfig({ minPauseMs: 500, maxConcurrent: 1 }).minPauseMs).toBe(500);
    expect(resolveCheckpointConfig({ minPauseMs: 0, maxConcurrent: 3 }).maxConcurrent).toBe(3);
  });

  it('requires unaligned checkpoints for an aligned timeout', () => {
    expect(errorOf({ alignedTimeoutMs: 1000 }).message).toMatch(/^--aligned-timeout requires --unaligned/);
  });

  it('requires exactly-once mode for unaligned checkpoints', () => {
    expect(errorOf({ unaligned: true, mode: 'at-least-once' }).message).toMatch(
      /^--unaligned requires --checkpointing-mode exactly-once, got 'at-least-once'/,
    );
  });

  it('names a flag for every setting', () => {
    expect(Object.keys(CHECKPOINT_OPTION_FLAGS).sort()).toEqual(Object.keys(resolveCheckpointConfig()).sort());
  });

  it('resolves any layering of valid intervals to the last one given', () => {
    const layer = fc.record({ interval: fc.option(fc.integer({ min: 10, max: 1e9 }), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(layer, { maxLength: 5 }), (layers) => {
        const given = layers.map((l) => l.interval).filter((v) => v !== undefined);
        expect(resolveCheckpointConfig(...layers).interval).toBe(given.at(-1));
      }),
    );
  });
});
