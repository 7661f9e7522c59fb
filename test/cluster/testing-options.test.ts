/**
 * `RunOptions.testing`: the data-path sizes, storage faults and clock that only tests and
 * benchmarks set live under one field, with the production values as defaults; the old
 * top-level names are refused (no aliases before 1.0).
 */
import { describe, expect, it } from 'vitest';
import { resolveRunOptions } from '../../src/cluster/run-options.js';
import type { RunOptions } from '../../src/cluster/run-options.js';
import { ConfigError } from '../../src/core/errors.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

describe('RunOptions.testing', () => {
  it('defaults to the production data path, no storage faults and the system clock', () => {
    const { testing } = resolveRunOptions({});
    expect(testing).toEqual({ batchSize: 512, credits: 4, flushIntervalMs: 50 });
  });

  it('keeps what a test sets and fills in the rest', () => {
    const clock = new ManualClock(5);
    const faults = { failStateWritesOfCheckpoints: [2] };
    const { testing } = resolveRunOptions({ execution: 'single-thread', testing: { batchSize: 7, storageFaults: faults, clock } });
    expect(testing).toEqual({ batchSize: 7, credits: 4, flushIntervalMs: 50, storageFaults: faults, clock });
  });

  it.each(['batchSize', 'credits', 'flushIntervalMs', 'storageFaults', 'clock'])('refuses %s at the top level, where it used to be', (name) => {
    expect(() => resolveRunOptions({ [name]: name === 'clock' ? new ManualClock() : 1 } as RunOptions)).toThrow(ConfigError);
  });

  it('names the nested option when a value is bad', () => {
    expect(() => resolveRunOptions({ testing: { credits: 0 } })).toThrow(/invalid option 'testing\.credits'/);
    expect(() => resolveRunOptions({ testing: { batchSize: 2, nonsense: 1 } as RunOptions['testing'] })).toThrow(ConfigError);
  });

  it('refuses a manual clock on worker threads, naming testing.clock', () => {
    expect(() => resolveRunOptions({ testing: { clock: new ManualClock() } })).toThrow(/'testing\.clock'.*single-thread/);
  });
});
