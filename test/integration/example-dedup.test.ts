import { describe, expect, it } from 'vitest';
import { delivery, DELIVERIES, DISTINCT_EVENTS } from '../../examples/dedup.js';
import type { Click } from '../../examples/dedup.js';
import { multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/** The first delivery of every event id, found here without the engine. */
function referenceUniqueClicks(): Click[] {
  const first = new Map<number, Click>();
  for (let n = 0; n < DELIVERIES; n++) {
    const click = delivery(n);
    if (!first.has(click.id)) first.set(click.id, click);
  }
  return [...first.values()];
}

describe('examples/dedup.ts', () => {
  const expected = referenceUniqueClicks();

  it('has duplicates in its input, so that dropping them is observable', () => {
    expect(expected.length).toBe(DISTINCT_EVENTS);
    expect(DELIVERIES).toBeGreaterThan(3 * DISTINCT_EVENTS);
  });

  it.each(RUNS)('lets exactly one copy of every event through at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<Click>('dedup', parallelism, execution);
    expect(output.length).toBe(DISTINCT_EVENTS);
    expect(new Set(output.map((c) => c.id)).size).toBe(DISTINCT_EVENTS);
    expect(multisetDifference(output, expected)).toEqual(SAME_MULTISET);
  });
});
