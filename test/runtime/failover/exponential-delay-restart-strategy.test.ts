import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestartStrategies, createRestartStrategy } from '../../../src/runtime/failover/restart-strategy.js';
import type { ExponentialDelayRestartConfig, RestartStrategy } from '../../../src/runtime/failover/restart-strategy.js';
import { seededRandom } from '../../support/seeded-random.js';

/** Fails the job `count` times, each `ranMs` after the restart the previous failure was granted. */
function failRepeatedly(strategy: RestartStrategy, count: number, ranMs = 1): (number | undefined)[] {
  const delays: (number | undefined)[] = [];
  let now = 0;
  for (let i = 0; i < count; i++) {
    const delay = strategy.onFailure(now);
    delays.push(delay);
    now += (delay ?? 0) + ranMs;
  }
  return delays;
}

/** Doubling delays without jitter, so the arithmetic of the cases below stays plain. */
const noJitter = (options: Omit<ExponentialDelayRestartConfig, 'type'> = {}) =>
  createRestartStrategy(RestartStrategies.exponentialDelay({ jitterFactor: 0, multiplier: 2, ...options }));

describe('exponential-delay restart strategy', () => {
  it('multiplies the delay on each restart and caps it at the maximum', () => {
    const strategy = noJitter({ initialDelayMs: 1000, multiplier: 2, maxDelayMs: 10_000 });
    expect(failRepeatedly(strategy, 7)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('rounds fractional delays down to whole milliseconds', () => {
    const strategy = noJitter({ initialDelayMs: 100, multiplier: 1.5, maxDelayMs: 1000 });
    expect(failRepeatedly(strategy, 5)).toEqual([100, 150, 225, 337, 506]);
  });

  it('restarts without limit unless attempts is given', () => {
    const delays = failRepeatedly(noJitter({ maxDelayMs: 5000 }), 500);
    expect(delays.every((d) => d !== undefined)).toBe(true);
  });

  it('gives up after attempts restarts', () => {
    expect(failRepeatedly(noJitter({ attempts: 3 }), 5)).toEqual([1000, 2000, 4000, undefined, undefined]);
  });

  it('starts over from the initial delay once the job ran the reset threshold after its restart', () => {
    const strategy = noJitter({ resetBackoffThresholdMs: 60_000, attempts: 2 });
    expect(strategy.onFailure(0)).toBe(1000); // restarts at 1000
    expect(strategy.onFailure(1500)).toBe(2000); // restarts at 3500
    expect(strategy.onFailure(3500 + 60_000)).toBe(1000); // ran 60 s: reset, attempts too
    expect(strategy.onFailure(64_600)).toBe(2000);
    expect(strategy.onFailure(66_700)).toBeUndefined();
  });

  it('keeps growing when the job ran just under the reset threshold', () => {
    const strategy = noJitter({ resetBackoffThresholdMs: 60_000 });
    expect(strategy.onFailure(0)).toBe(1000);
    expect(strategy.onFailure(1000 + 59_999)).toBe(2000);
  });

  it('joins a failure reported before the pending restart to that restart', () => {
    const strategy = noJitter({ attempts: 2 });
    expect(strategy.onFailure(0)).toBe(1000);
    expect(strategy.onFailure(400)).toBe(600); // same restart, at 1000
    expect(strategy.onFailure(1200)).toBe(2000); // the second restart, not the third
  });

  it('keeps jittered delays within the jitter of the undisturbed delay and within the bounds', () => {
    const strategy = createRestartStrategy(
      RestartStrategies.exponentialDelay({ initialDelayMs: 1000, multiplier: 2, maxDelayMs: 16_000, jitterFactor: 0.25 }),
      { random: seededRandom(42) },
    );
    const undisturbed = [1000, 2000, 4000, 8000, 16_000, 16_000];
    let now = 0;
    for (const base of undisturbed) {
      const delay = strategy.onFailure(now)!;
      expect(delay).toBeGreaterThanOrEqual(Math.max(1000, base - base / 4));
      expect(delay).toBeLessThanOrEqual(Math.min(16_000, base + base / 4));
      now += delay + 1;
    }
  });

  it('jitters deterministically with a seeded random source', () => {
    const make = (seed: number) =>
      createRestartStrategy(RestartStrategies.exponentialDelay({ jitterFactor: 0.5 }), { random: seededRandom(seed) });
    const first = failRepeatedly(make(7), 12);
    expect(failRepeatedly(make(7), 12)).toEqual(first);
    expect(failRepeatedly(make(8), 12)).not.toEqual(first);
  });

  it('uses the extremes of the jitter for random numbers 0 and almost 1', () => {
    const at = (r: number) =>
      createRestartStrategy(RestartStrategies.exponentialDelay({ initialDelayMs: 100, multiplier: 2, jitterFactor: 0.1 }), { random: () => r });
    expect(failRepeatedly(at(0), 3)).toEqual([100, 180, 360]); // 90 is held at the initial delay
    expect(failRepeatedly(at(0.999_999), 3)).toEqual([110, 220, 440]);
    expect(failRepeatedly(at(1), 3)).toEqual([110, 220, 440]); // a source returning 1 is held below 1
  });

  it('defaults to Flink 2: 1 s growing ×1.5 up to 1 min with 10 % jitter and unlimited attempts', () => {
    const strategy = createRestartStrategy({ type: 'exponential-delay' }, { random: () => 0.5 });
    expect(failRepeatedly(strategy, 13)).toEqual([
      1000, 1500, 2250, 3375, 5062, 7593, 11_390, 17_085, 25_628, 38_443, 57_665, 60_000, 60_000,
    ]);
    expect(strategy.description).toBe(
      'exponential-delay (1000 ms ×1.5 up to 60000 ms, jitter 0.1, reset after 3600000 ms, unlimited attempts)',
    );
  });

  it('spreads the default delays by at most 10 % with an injected random source, the same way every time', () => {
    const low = createRestartStrategy({ type: 'exponential-delay' }, { random: () => 0 });
    const high = createRestartStrategy({ type: 'exponential-delay' }, { random: () => 0.999 });
    // 1000 ms cannot go below the initial delay; 60 s cannot go above the maximum
    expect(failRepeatedly(low, 4)).toEqual([1000, 1350, 2025, 3038]);
    expect(failRepeatedly(high, 4)).toEqual([1100, 1650, 2475, 3712]);
    expect(failRepeatedly(createRestartStrategy({ type: 'exponential-delay' }, { random: () => 0.999 }), 14).at(-1)).toBe(60_000);
  });

  it('starts over at 1 s once the job has run an hour without failing (default reset threshold, injected clock)', () => {
    let clock = 0;
    const strategy = createRestartStrategy({ type: 'exponential-delay' }, { random: () => 0.5, now: () => clock });
    expect([strategy.onFailure(), strategy.onFailure((clock += 1001))]).toEqual([1000, 1500]);
    clock += 1500 + 3_600_000 - 1; // one ms short of an hour after the restart
    expect(strategy.onFailure()).toBe(2250);
    clock += 2250 + 3_600_000; // a full hour after the restart
    expect(strategy.onFailure()).toBe(1000);
  });

  it('reads the injected clock when no time is given', () => {
    let time = 0;
    const strategy = noJitter({ resetBackoffThresholdMs: 10_000 });
    const clocked = createRestartStrategy(RestartStrategies.exponentialDelay({ jitterFactor: 0, multiplier: 2, resetBackoffThresholdMs: 10_000 }), {
      now: () => time,
    });
    for (const t of [0, 5000, 20_000]) {
      time = t;
      expect(clocked.onFailure()).toBe(strategy.onFailure(t));
    }
  });

  it('never exceeds the maximum and never shrinks without jitter or reset', () => {
    const arbitrary = fc.record({
      initialDelayMs: fc.integer({ min: 1, max: 10_000 }),
      extra: fc.integer({ min: 0, max: 1_000_000 }),
      multiplier: fc.double({ min: 1.01, max: 10, noNaN: true }),
      runs: fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 60 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ initialDelayMs, extra, multiplier, runs }) => {
        const maxDelayMs = initialDelayMs + extra;
        const strategy = noJitter({ initialDelayMs, maxDelayMs, multiplier, resetBackoffThresholdMs: 10_001 });
        let now = 0;
        let previous = 0;
        for (const ran of runs) {
          const delay = strategy.onFailure(now)!;
          expect(delay).toBeGreaterThanOrEqual(Math.max(previous, initialDelayMs));
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
          previous = delay;
          now += delay + ran;
        }
      }),
    );
  });

  it('keeps every jittered delay between the initial and the maximum delay for any random source', () => {
    const arbitrary = fc.record({
      initialDelayMs: fc.integer({ min: 1, max: 10_000 }),
      extra: fc.integer({ min: 0, max: 100_000 }),
      jitterFactor: fc.double({ min: 0, max: 1, noNaN: true }),
      randoms: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 40 }),
    });
    fc.assert(
      fc.property(arbitrary, ({ initialDelayMs, extra, jitterFactor, randoms }) => {
        const maxDelayMs = initialDelayMs + extra;
        let i = 0;
        const strategy = createRestartStrategy(
          RestartStrategies.exponentialDelay({ initialDelayMs, maxDelayMs, jitterFactor }),
          { random: () => randoms[i++ % randoms.length]! },
        );
        for (const delay of failRepeatedly(strategy, randoms.length)) {
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(initialDelayMs);
          expect(delay).toBeLessThanOrEqual(maxDelayMs);
        }
      }),
    );
  });
});
