import { describe, expect, it } from 'vitest';
import { MINUTE, READINGS, reading } from '../../examples/sensor-averages.js';
import type { MinuteAverage } from '../../examples/sensor-averages.js';
import { multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/** Every (sensor, minute) with its readings' average, computed here. */
function referenceAverages(): MinuteAverage[] {
  const windows = new Map<string, { sensor: string; start: number; sum: number; count: number }>();
  for (let n = 0; n < READINGS; n++) {
    const r = reading(n);
    const start = Math.floor(r.time / MINUTE) * MINUTE;
    const key = `${r.sensor}@${start}`;
    const w = windows.get(key) ?? { sensor: r.sensor, start, sum: 0, count: 0 };
    w.sum += r.value;
    w.count++;
    windows.set(key, w);
  }
  return [...windows.values()].map((w) => ({
    sensor: w.sensor,
    start: w.start,
    end: w.start + MINUTE,
    readings: w.count,
    average: Math.round((w.sum / w.count) * 100) / 100,
  }));
}

describe('examples/sensor-averages.ts', () => {
  const expected = referenceAverages();

  it('covers every sensor over many minutes', () => {
    expect(new Set(expected.map((a) => a.sensor)).size).toBe(50);
    expect(new Set(expected.map((a) => a.start)).size).toBeGreaterThan(45);
  });

  it.each(RUNS)('emits every window once with its exact average at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<MinuteAverage>('sensor-averages', parallelism, execution);
    expect(output.length).toBe(expected.length);
    expect(multisetDifference(output, expected)).toEqual(SAME_MULTISET);
  });
});
