import { describe, expect, it } from 'vitest';
import { rank, SALES, sale, SIZE, SLIDE } from '../../examples/top-products.js';
import type { Sale, TopProducts } from '../../examples/top-products.js';
import { multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/** Every (category, sliding window) with its top products, computed here. */
function referenceTops(): TopProducts[] {
  const windows = new Map<string, { category: string; start: number; sales: Sale[] }>();
  for (let n = 0; n < SALES; n++) {
    const s = sale(n);
    const lastStart = Math.floor(s.time / SLIDE) * SLIDE;
    for (let start = lastStart; start > s.time - SIZE; start -= SLIDE) {
      const key = `${s.category}@${start}`;
      const w = windows.get(key) ?? { category: s.category, start, sales: [] };
      w.sales.push(s);
      windows.set(key, w);
    }
  }
  return [...windows.values()].map((w) => ({ category: w.category, start: w.start, end: w.start + SIZE, top: rank(w.sales) }));
}

describe('examples/top-products.ts', () => {
  const expected = referenceTops();

  it('has every category in many overlapping windows', () => {
    expect(new Set(expected.map((t) => t.category)).size).toBe(6);
    expect(expected.length).toBeGreaterThan(6 * 40);
  });

  it.each(RUNS)('ranks every window exactly at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<TopProducts>('top-products', parallelism, execution);
    expect(output.length).toBe(expected.length);
    expect(multisetDifference(output, expected)).toEqual(SAME_MULTISET);
  });
});
