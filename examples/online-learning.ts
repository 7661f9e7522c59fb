/**
 * Online learning: one linear model y ≈ slope·x + intercept per key, learned from a stream
 * of (x, y) samples. Each model lives in a ValueState and is updated with every sample by
 * Welford's streaming mean and co-moment updates (numerically stable, no samples kept),
 * which give the exact least-squares line of the samples seen so far. After every sample
 * from the second on, the job emits the model's current parameters.
 *
 * The samples are synthetic: model k's truth is {@link truth}(k), plus deterministic
 * noise, so the learned parameters converge to known values. They come from one
 * non-parallel source, so each model sees its samples in the same order at every
 * parallelism.
 *
 *   eddy run examples/online-learning.ts --parallelism 4
 *   eddy run examples/online-learning.ts --set output=out/online-learning
 *   eddy run examples/online-learning.ts --set sink=collect   (results in JobResult.output('online-learning'))
 */
import { defineJob, KeyedProcessFunction, ValueStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, RuntimeContext, ValueState } from 'eddy';
import { exampleOutput } from './lib/example-output.js';
import { mix } from './lib/mix.js';

export type Sample = { model: string; x: number; y: number };
export type ModelParameters = { model: string; samples: number; slope: number; intercept: number };

/** Running sums of a simple linear regression (Welford). */
type Regression = { count: number; meanX: number; meanY: number; m2x: number; cxy: number };

export const SAMPLES = 40_000;
export const MODELS = 20;
/** Half-width of the uniform noise added to y. */
export const NOISE = 1;

/** The line model `k` is trained towards. */
export function truth(k: number): { slope: number; intercept: number } {
  return { slope: (k - 10) / 4, intercept: 3 + (k % 7) * 1.5 };
}

/** Sample `n`: a scrambled model, x uniform in [0, 10), y on the model's line plus noise in [-NOISE, NOISE). */
export function sample(n: number): Sample {
  const k = mix(n, 1) % MODELS;
  const x = (mix(n, 2) / 2 ** 32) * 10;
  const noise = ((mix(n, 3) / 2 ** 32) * 2 - 1) * NOISE;
  const { slope, intercept } = truth(k);
  return { model: `model-${k}`, x, y: slope * x + intercept + noise };
}

class LinearRegression extends KeyedProcessFunction<string, Sample, ModelParameters> {
  private regression!: ValueState<Regression>;

  override open(ctx: RuntimeContext): void {
    this.regression = ctx.getState(new ValueStateDescriptor<Regression>('regression'));
  }

  processElement(s: Sample, ctx: KeyedContext<string>, out: Collector<ModelParameters>): void {
    const r = this.regression.value() ?? { count: 0, meanX: 0, meanY: 0, m2x: 0, cxy: 0 };
    r.count += 1;
    const dx = s.x - r.meanX;
    r.meanX += dx / r.count;
    r.meanY += (s.y - r.meanY) / r.count;
    r.m2x += dx * (s.x - r.meanX);
    r.cxy += dx * (s.y - r.meanY);
    // state holds a copy: the update is what stores the new model
    this.regression.update(r);
    if (r.m2x === 0) return; // one distinct x so far: the slope is not defined yet
    const slope = r.cxy / r.m2x;
    out.collect({ model: ctx.getCurrentKey(), samples: r.count, slope, intercept: r.meanY - slope * r.meanX });
  }
}

export default defineJob((env) => {
  env
    .fromCollection(Array.from({ length: SAMPLES }, (_, n) => sample(n)))
    .keyBy((s) => s.model)
    .process(new LinearRegression())
    .uid('linear-regression')
    .sinkTo(exampleOutput(env, 'online-learning'))
    .name('model-parameters');
});

