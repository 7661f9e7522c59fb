import { describe, expect, it } from 'vitest';
import { REPEAT, SAMPLE } from '../../examples/word-count.js';
import type { WordCount } from '../../examples/word-count.js';
import { lastPerKey, multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/** Word totals of the built-in input, counted here without the engine. */
function referenceTotals(): Map<string, number> {
  const totals = new Map<string, number>();
  for (let i = 0; i < REPEAT; i++) {
    for (const line of SAMPLE) {
      for (const word of line.split(' ')) totals.set(word, (totals.get(word) ?? 0) + 1);
    }
  }
  return totals;
}

/** A running count emits count 1, 2, …, total for every word, in some order. */
function referenceRecords(totals: Map<string, number>): WordCount[] {
  return [...totals].flatMap(([word, total]) => Array.from({ length: total }, (_, i) => ({ word, count: i + 1 })));
}

describe('examples/word-count.ts', () => {
  const totals = referenceTotals();

  it.each(RUNS)('emits every running count once at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<WordCount>('word-count', parallelism, execution);
    expect(output.length).toBe(REPEAT * SAMPLE.join(' ').split(' ').length);
    expect(multisetDifference(output, referenceRecords(totals))).toEqual(SAME_MULTISET);
    const finals = lastPerKey(output, (r) => r.word, (r) => r.count);
    expect(new Map([...finals].map(([word, r]) => [word, r.count]))).toEqual(totals);
  });
});
