import { describe, expect, it, vi } from 'vitest';
import { detach, settleLogged } from '../../../src/core/logging/detach.js';
import { guardCallback } from '../../../src/core/logging/guarded-callback.js';
import { createLogger } from '../../../src/core/logging/logger.js';

/** A JSON logger whose records land in an array. */
function capture(level: 'info' | 'debug' = 'info') {
  const records: Record<string, unknown>[] = [];
  const logger = createLogger({ level, format: 'json', destination: { write: (line) => records.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, records };
}

describe('detach', () => {
  it('logs a warning naming what was being done when the detached work fails', async () => {
    const { logger, records } = capture();
    detach(Promise.reject(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' })), logger, 'deleting checkpoint 3');
    await vi.waitFor(() => expect(records).toHaveLength(1));
    expect(records[0]).toMatchObject({ level: 40, msg: 'deleting checkpoint 3 failed', err: { type: 'Error', message: 'EACCES: permission denied', code: 'EACCES' } });
  });

  it('logs nothing when the detached work succeeds', async () => {
    const { logger, records } = capture();
    const work = Promise.resolve('done');
    detach(work, logger, 'deleting checkpoint 4');
    await work;
    await new Promise((resolve) => setImmediate(resolve));
    expect(records).toEqual([]);
  });

  it('settleLogged waits for the work, logs its failure and tells whether it succeeded', async () => {
    const { logger, records } = capture();
    expect(await settleLogged(Promise.resolve(), logger, 'a')).toBe(true);
    expect(await settleLogged(Promise.reject(new Error('disk gone')), logger, 'deleting the checkpoints')).toBe(false);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ msg: 'deleting the checkpoints failed', err: { message: 'disk gone' } });
  });
});

describe('guardCallback', () => {
  it('catches what a callback throws, logs the first failure as an error and later ones at debug level', () => {
    const { logger, records } = capture('debug');
    let calls = 0;
    const guarded = guardCallback((n: number) => {
      calls++;
      throw new Error(`callback broke on ${n}`);
    }, logger, 'onCheckpoint')!;
    expect(() => guarded(1)).not.toThrow();
    expect(() => guarded(2)).not.toThrow();
    expect(calls).toBe(2);
    expect(records.map((r) => [r['level'], r['callback']])).toEqual([
      [50, 'onCheckpoint'],
      [20, 'onCheckpoint'],
    ]);
    expect(records[0]!['err']).toMatchObject({ message: 'callback broke on 1' });
  });

  it('catches a rejected promise an async callback returns', async () => {
    const { logger, records } = capture();
    const guarded = guardCallback(async () => {
      throw new Error('async callback broke');
    }, logger, 'onProgress')!;
    guarded();
    await vi.waitFor(() => expect(records).toHaveLength(1));
    expect(records[0]).toMatchObject({ callback: 'onProgress', err: { message: 'async callback broke' } });
  });

  it('passes the arguments through and leaves an absent callback absent', () => {
    const { logger } = capture();
    const seen: number[] = [];
    guardCallback((a: number, b: number) => seen.push(a, b), logger, 'x')!(1, 2);
    expect(seen).toEqual([1, 2]);
    expect(guardCallback(undefined, logger, 'x')).toBeUndefined();
  });
});
