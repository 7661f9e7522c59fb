import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS, sample, SAMPLES, truth } from '../../examples/online-learning.js';
import type { ModelParameters } from '../../examples/online-learning.js';
import { lastPerKey, multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/**
 * The least-squares line after every sample, from plain running sums (the textbook
 * formula, not the example's Welford updates), keyed by `model/samples`.
 */
function referenceFits(): Map<string, { slope: number; intercept: number }> {
  const sums = new Map<string, { n: number; sx: number; sy: number; sxx: number; sxy: number }>();
  const fits = new Map<string, { slope: number; intercept: number }>();
  for (let i = 0; i < SAMPLES; i++) {
    const { model, x, y } = sample(i);
    const s = sums.get(model) ?? { n: 0, sx: 0, sy: 0, sxx: 0, sxy: 0 };
    s.n += 1;
    s.sx += x;
    s.sy += y;
    s.sxx += x * x;
    s.sxy += x * y;
    sums.set(model, s);
    if (s.n < 2) continue;
    const slope = (s.n * s.sxy - s.sx * s.sy) / (s.n * s.sxx - s.sx * s.sx);
    fits.set(`${model}/${s.n}`, { slope, intercept: (s.sy - slope * s.sx) / s.n });
  }
  return fits;
}

describe('examples/online-learning.ts', () => {
  const fits = referenceFits();
  let baseline: ModelParameters[];

  beforeAll(async () => {
    baseline = await runExample<ModelParameters>('online-learning', 1, 'single-thread');
  });

  it('emits the least-squares line of the samples seen so far after every sample but the first of each model', () => {
    expect(baseline.length).toBe(SAMPLES - MODELS);
    for (const p of baseline) {
      const want = fits.get(`${p.model}/${p.samples}`);
      expect(want, `${p.model} after ${p.samples} samples`).toBeDefined();
      expect(p.slope).toBeCloseTo(want!.slope, 6);
      expect(p.intercept).toBeCloseTo(want!.intercept, 6);
    }
  });

  it('learns every model close to the line its samples were drawn from', () => {
    const finals = lastPerKey(baseline, (p) => p.model, (p) => p.samples);
    expect(finals.size).toBe(MODELS);
    for (let k = 0; k < MODELS; k++) {
      const learned = finals.get(`model-${k}`)!;
      const { slope, intercept } = truth(k);
      // ~2000 samples of noise with sd 0.58: standard errors are about 0.005 (slope) and 0.03 (intercept)
      expect(Math.abs(learned.slope - slope), `slope of model-${k}`).toBeLessThan(0.05);
      expect(Math.abs(learned.intercept - intercept), `intercept of model-${k}`).toBeLessThan(0.2);
    }
  });

  it.each(RUNS)('emits exactly the same parameters at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<ModelParameters>('online-learning', parallelism, execution);
    expect(multisetDifference(output, baseline)).toEqual(SAME_MULTISET);
  });
});
