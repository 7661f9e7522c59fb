import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestartStrategies, createRestartStrategy } from '../../../src/runtime/failover/restart-strategy.js';

describe('failure-rate restart strategy', () => {
  it('restarts up to the maximum failures within the interval and gives up at one more', () => {
    const strategy = createRestartStrategy(RestartStrategies.failureRate(3, 10_000, 500));
    expect([0, 1000, 2000].map((t) => strategy.onFailure(t))).toEqual([500, 500, 500]);
    expect(strategy.onFailure(3000)).toBeUndefined();
  });

  it('does not count failures that left the sliding window', () => {
    const strategy = createRestartStrategy(RestartStrategies.failureRate(2, 1000, 0));
    expect(strategy.onFailure(0)).toBe(0);
    expect(strategy.onFailure(600)).toBe(0);
    // 0 is now more than 1000 ms old: only 600 and 1001 count
    expect(strategy.onFailure(1001)).toBe(0);
    // 600, 1001 and 1500 are within 1000 ms of each other: one too many
    expect(strategy.onFailure(1500)).toBeUndefined();
  });

  it('counts a failure exactly intervalMs old as within the window, as Flink', () => {
    const strategy = createRestartStrategy(RestartStrategies.failureRate(1, 1000, 0));
    expect(strategy.onFailure(0)).toBe(0);
    expect(strategy.onFailure(1000)).toBeUndefined();
    const other = createRestartStrategy(RestartStrategies.failureRate(1, 1000, 0));
    expect(other.onFailure(0)).toBe(0);
    expect(other.onFailure(1001)).toBe(0);
  });

  it('restarts forever when failures are spaced further apart than the interval', () => {
    const strategy = createRestartStrategy(RestartStrategies.failureRate(1, 100, 7));
    for (let i = 0; i < 1000; i++) expect(strategy.onFailure(i * 101)).toBe(7);
  });

  it('defaults to 1 failure per minute and a 1 s delay, as Flink', () => {
    const strategy = createRestartStrategy({ type: 'failure-rate' });
    expect(strategy.onFailure(0)).toBe(1000);
    expect(strategy.onFailure(60_000)).toBeUndefined();
    expect(strategy.description).toBe('failure-rate (at most 1 failure per 60000 ms, 1000 ms delay)');
  });

  it('gives up exactly when more than the maximum failures fall within some window', () => {
    const arbitrary = fc.record({
      max: fc.integer({ min: 1, max: 5 }),
      interval: fc.integer({ min: 1, max: 1000 }),
      gaps: fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 1, maxLength: 30 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ max, interval, gaps }) => {
        const strategy = createRestartStrategy(RestartStrategies.failureRate(max, interval, 5));
        const times: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap;
          times.push(now);
          const inWindow = times.filter((t) => now - t <= interval).length;
          const result = strategy.onFailure(now);
          expect(result).toBe(inWindow > max ? undefined : 5);
          if (result === undefined) return; // the job has failed
        }
      }),
    );
  });
});
