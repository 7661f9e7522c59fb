/**
 * A sliding top-N per category in event time: every minute, the three most sold products
 * of each category over the last five minutes. Sales arrive up to five seconds out of
 * order; a sliding event-time window (size 5 min, slide 1 min) per category holds the
 * window's sales and a ProcessWindowFunction ranks them when the watermark passes the
 * window's end.
 *
 *   eddy run examples/top-products.ts --parallelism 4
 *   eddy run examples/top-products.ts --set sink=collect   (results in JobResult.output('top-products'))
 */
import { defineJob, SlidingEventTimeWindows, WatermarkStrategy } from 'eddy';
import type { Collector, ProcessWindowContext, TimeWindow } from 'eddy';
import { exampleOutput } from './lib/example-output.js';
import { mix } from './lib/mix.js';

export interface Sale {
  readonly category: string;
  readonly product: string;
  readonly quantity: number;
  readonly time: number;
}

export interface TopProducts {
  readonly category: string;
  readonly start: number;
  readonly end: number;
  /** The best sellers, most sold first (ties: by product name). */
  readonly top: readonly { readonly product: string; readonly sold: number }[];
}

export const SALES = 30_000;
export const CATEGORIES = ['books', 'games', 'music', 'garden', 'kitchen', 'toys'] as const;
export const PRODUCTS_PER_CATEGORY = 12;
export const SIZE = 5 * 60_000;
export const SLIDE = 60_000;
export const TOP_N = 3;
export const OUT_OF_ORDERNESS_MS = 5_000;

/** Sale `n`: one every 100 ms, shifted by up to 5 s; some products sell far more than others. */
export function sale(n: number): Sale {
  const category = CATEGORIES[mix(n, 1) % CATEGORIES.length]!;
  const skew = mix(n, 2) % 100;
  const rank = skew < 50 ? skew % 3 : skew % PRODUCTS_PER_CATEGORY; // half the sales go to three products
  return { category, product: `${category}-${rank}`, quantity: 1 + (mix(n, 3) % 3), time: n * 100 + (mix(n, 4) % OUT_OF_ORDERNESS_MS) };
}

/** The top N of one window's sales. */
export function rank(sales: Iterable<Sale>): TopProducts['top'] {
  const sold = new Map<string, number>();
  for (const s of sales) sold.set(s.product, (sold.get(s.product) ?? 0) + s.quantity);
  return [...sold]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, TOP_N)
    .map(([product, n]) => ({ product, sold: n }));
}

function topOfWindow(category: string, ctx: ProcessWindowContext<TimeWindow>, sales: Iterable<Sale>, out: Collector<TopProducts>): void {
  const { start, end } = ctx.window();
  out.collect({ category, start, end, top: rank(sales) });
}

export default defineJob((env) => {
  env
    .fromCollection(Array.from({ length: SALES }, (_, n) => sale(n)))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Sale>(OUT_OF_ORDERNESS_MS).withTimestampAssigner((s) => s.time))
    .keyBy((s) => s.category)
    .window(SlidingEventTimeWindows.of(SIZE, SLIDE))
    .process(topOfWindow)
    .uid('top-products')
    .sinkTo(exampleOutput(env, 'top-products'))
    .name('top-products');
});
