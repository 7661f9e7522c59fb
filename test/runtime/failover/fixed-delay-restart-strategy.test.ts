import { describe, expect, it } from 'vitest';
import { RestartStrategies, createRestartStrategy } from '../../../src/runtime/failover/restart-strategy.js';

describe('fixed-delay restart strategy', () => {
  it('restarts attempts times with the same delay, then gives up', () => {
    const strategy = createRestartStrategy(RestartStrategies.fixedDelay(3, 250));
    expect([1, 2, 3, 4, 5].map((t) => strategy.onFailure(t))).toEqual([250, 250, 250, undefined, undefined]);
  });

  it('never forgets a failure, however long the job ran in between', () => {
    const strategy = createRestartStrategy({ type: 'fixed-delay', attempts: 1, delayMs: 0 });
    expect(strategy.onFailure(0)).toBe(0);
    expect(strategy.onFailure(365 * 24 * 3_600_000)).toBeUndefined();
  });

  it('gives up at the first failure with zero attempts', () => {
    expect(createRestartStrategy(RestartStrategies.fixedDelay(0, 1000)).onFailure(0)).toBeUndefined();
  });

  it('defaults to one attempt and a 1 s delay, as Flink', () => {
    const strategy = createRestartStrategy({ type: 'fixed-delay' });
    expect([strategy.onFailure(0), strategy.onFailure(1)]).toEqual([1000, undefined]);
    expect(strategy.description).toBe('fixed-delay (1 attempt, 1000 ms apart)');
  });

  it('reads the injected clock when no time is given', () => {
    let time = 0;
    const strategy = createRestartStrategy(RestartStrategies.fixedDelay(2, 10), { now: () => time++ });
    expect([strategy.onFailure(), strategy.onFailure(), strategy.onFailure()]).toEqual([10, 10, undefined]);
  });
});

describe('none restart strategy', () => {
  it('fails the job at the first failure', () => {
    const strategy = createRestartStrategy(RestartStrategies.noRestart());
    expect(strategy.onFailure(0)).toBeUndefined();
    expect(strategy.onSuccess).toBeUndefined();
    expect(strategy.description).toMatch(/^none/);
  });
});
