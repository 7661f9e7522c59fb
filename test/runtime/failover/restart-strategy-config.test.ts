import { describe, expect, it } from 'vitest';
import {
  RestartStrategies,
  createRestartStrategy,
  defaultRestartStrategy,
  resolveRestartStrategyConfig,
  restartAttemptsShortcut,
} from '../../../src/runtime/failover/restart-strategy.js';
import type { RestartStrategyConfig } from '../../../src/runtime/failover/restart-strategy.js';
import { ConfigError } from '../../../src/core/errors.js';

function errorOf(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const invalid = (config: unknown) => errorOf(() => createRestartStrategy(config as RestartStrategyConfig)).message;

describe('restart strategy configuration', () => {
  it('fills in the defaults of each strategy once', () => {
    expect(resolveRestartStrategyConfig({ type: 'none' })).toEqual({ type: 'none' });
    expect(resolveRestartStrategyConfig({ type: 'fixed-delay' })).toEqual({ type: 'fixed-delay', attempts: 1, delayMs: 1000 });
    expect(resolveRestartStrategyConfig({ type: 'exponential-delay' })).toEqual({
      type: 'exponential-delay',
      initialDelayMs: 1000,
      maxDelayMs: 60_000,
      multiplier: 1.5,
      resetBackoffThresholdMs: 3_600_000,
      jitterFactor: 0.1,
    });
    expect(resolveRestartStrategyConfig({ type: 'failure-rate' })).toEqual({
      type: 'failure-rate',
      maxFailuresPerInterval: 1,
      intervalMs: 60_000,
      delayMs: 1000,
    });
  });

  it('builds the same plain data with RestartStrategies, as Flink users write it', () => {
    expect(RestartStrategies.noRestart()).toEqual({ type: 'none' });
    expect(RestartStrategies.fixedDelay(3, 500)).toEqual({ type: 'fixed-delay', attempts: 3, delayMs: 500 });
    expect(RestartStrategies.fixedDelay(3)).toEqual({ type: 'fixed-delay', attempts: 3, delayMs: 1000 });
    expect(RestartStrategies.failureRate(2, 5000, 100)).toEqual({
      type: 'failure-rate',
      maxFailuresPerInterval: 2,
      intervalMs: 5000,
      delayMs: 100,
    });
    expect(RestartStrategies.exponentialDelay({ attempts: 4, multiplier: 1.5 })).toMatchObject({
      type: 'exponential-delay',
      attempts: 4,
      multiplier: 1.5,
      initialDelayMs: 1000,
    });
  });

  it('survives structured cloning, so it can cross to a worker thread', () => {
    const config = RestartStrategies.exponentialDelay({ attempts: 2 });
    expect(structuredClone(config)).toEqual(config);
    expect(JSON.parse(JSON.stringify(RestartStrategies.failureRate(1, 2, 3)))).toEqual(RestartStrategies.failureRate(1, 2, 3));
  });

  it('chooses no restart without checkpointing and exponential-delay with it, as Flink 1.19', () => {
    expect(defaultRestartStrategy(false)).toEqual({ type: 'none' });
    expect(defaultRestartStrategy(true)).toEqual(resolveRestartStrategyConfig({ type: 'exponential-delay' }));
  });

  it('reads --restart-attempts as fixed-delay with Flink’s 1 s default delay', () => {
    expect(restartAttemptsShortcut(4)).toEqual({ type: 'fixed-delay', attempts: 4, delayMs: 1000 });
    expect(restartAttemptsShortcut(2, 0)).toEqual({ type: 'fixed-delay', attempts: 2, delayMs: 0 });
    expect(errorOf(() => restartAttemptsShortcut(-1)).message).toBe('--restart-attempts must be a whole number of at least 0, got -1');
    expect(errorOf(() => restartAttemptsShortcut(2, 1.5)).message).toMatch(/^--restart-delay must be/);
  });

  it('rejects an unknown strategy type, listing the known ones', () => {
    expect(invalid({ type: 'fixed' })).toBe(
      "restart strategy: type must be one of 'none', 'fixed-delay', 'exponential-delay', 'failure-rate', got 'fixed'",
    );
    expect(invalid({})).toMatch(/^restart strategy: type must be one of .*, got undefined$/);
  });

  it('rejects a configuration that is not an object', () => {
    expect(invalid('fixed-delay')).toMatch(/^restart strategy must be an object such as .*, got string$/);
    expect(invalid(null)).toMatch(/^restart strategy must be an object .*, got null$/);
  });

  it('names the strategy and the option of a bad value', () => {
    const cases: [unknown, string][] = [
      [{ type: 'fixed-delay', attempts: -1 }, "restart strategy 'fixed-delay': attempts must be at least 0, got -1"],
      [{ type: 'fixed-delay', attempts: 1.5 }, "restart strategy 'fixed-delay': attempts must be a whole number, got 1.5"],
      [{ type: 'fixed-delay', delayMs: -10 }, "restart strategy 'fixed-delay': delayMs must be at least 0 ms, got -10"],
      [{ type: 'exponential-delay', initialDelayMs: 0 }, "restart strategy 'exponential-delay': initialDelayMs must be at least 1 ms, got 0"],
      [{ type: 'exponential-delay', multiplier: 1 }, "restart strategy 'exponential-delay': multiplier must be greater than 1, got 1"],
      [{ type: 'exponential-delay', jitterFactor: 1.5 }, "restart strategy 'exponential-delay': jitterFactor must be at most 1, got 1.5"],
      [{ type: 'exponential-delay', attempts: -3 }, "restart strategy 'exponential-delay': attempts must be at least 0, got -3"],
      [
        { type: 'exponential-delay', resetBackoffThresholdMs: 0 },
        "restart strategy 'exponential-delay': resetBackoffThresholdMs must be at least 1 ms, got 0",
      ],
      [{ type: 'failure-rate', maxFailuresPerInterval: 0 }, "restart strategy 'failure-rate': maxFailuresPerInterval must be at least 1, got 0"],
      [{ type: 'failure-rate', intervalMs: '1 min' }, "restart strategy 'failure-rate': intervalMs must be a finite number, got '1 min'"],
      [{ type: 'fixed-delay', attempts: 3, delay: 10 }, "restart strategy 'fixed-delay': unknown option 'delay'"],
    ];
    for (const [config, message] of cases) expect(invalid(config)).toBe(message);
  });

  it('rejects an initial delay above the maximum delay', () => {
    expect(invalid({ type: 'exponential-delay', initialDelayMs: 600_000 })).toBe(
      "restart strategy 'exponential-delay': initialDelayMs must not exceed maxDelayMs, got 600000 ms > 60000 ms",
    );
  });

  it('validates RestartStrategies arguments at once', () => {
    expect(errorOf(() => RestartStrategies.fixedDelay(-1, 0)).message).toMatch(/attempts must be at least 0, got -1/);
    expect(errorOf(() => RestartStrategies.failureRate(1, 0, 0)).message).toMatch(/intervalMs must be at least 1 ms, got 0/);
    expect(errorOf(() => RestartStrategies.exponentialDelay({ maxDelayMs: 10 })).message).toMatch(/must not exceed maxDelayMs/);
  });

  it('creates a strategy that describes itself', () => {
    expect(createRestartStrategy(RestartStrategies.fixedDelay(3, 1000)).description).toBe('fixed-delay (3 attempts, 1000 ms apart)');
    expect(createRestartStrategy(RestartStrategies.exponentialDelay({ attempts: 5 })).description).toMatch(/5 attempts\)$/);
  });
});
