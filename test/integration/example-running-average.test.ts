import { describe, expect, it } from 'vitest';
import { reading, READINGS, SENSORS } from '../../examples/running-average.js';
import type { SensorAverage } from '../../examples/running-average.js';
import { lastPerKey, multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/** The running average after every reading, computed here in input order without the engine. */
function referenceAverages(): SensorAverage[] {
  const sums = new Map<string, { sum: number; count: number }>();
  const records: SensorAverage[] = [];
  for (let n = 0; n < READINGS; n++) {
    const r = reading(n);
    const acc = sums.get(r.sensor) ?? { sum: 0, count: 0 };
    acc.sum += r.celsius;
    acc.count += 1;
    sums.set(r.sensor, acc);
    records.push({ sensor: r.sensor, count: acc.count, average: acc.sum / acc.count });
  }
  return records;
}

describe('examples/running-average.ts', () => {
  const expected = referenceAverages();
  const expectedFinals = lastPerKey(expected, (r) => r.sensor, (r) => r.count);

  it('reads readings of every sensor', () => {
    expect(expectedFinals.size).toBe(SENSORS);
  });

  it.each(RUNS)('emits the same running averages at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<SensorAverage>('running-average', parallelism, execution);
    expect(output.length).toBe(READINGS);
    expect(multisetDifference(output, expected)).toEqual(SAME_MULTISET);
    const finals = lastPerKey(output, (r) => r.sensor, (r) => r.count);
    expect(finals.size).toBe(SENSORS);
    for (const [sensor, want] of expectedFinals) {
      expect(finals.get(sensor)?.count, sensor).toBe(want.count);
      expect(finals.get(sensor)?.average, sensor).toBeCloseTo(want.average, 9);
    }
  });
});
