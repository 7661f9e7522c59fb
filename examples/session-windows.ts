/**
 * Per-user sessions in event time: a user's page views belong to one session as long as
 * no more than 30 s of inactivity separate them. An event-time session window per user
 * (`EventTimeSessionWindows.withGap`) grows and merges as views arrive, also out of
 * order, and a ProcessWindowFunction summarizes each session once the watermark has
 * passed its end.
 *
 *   eddy run examples/session-windows.ts --parallelism 4
 *   eddy run examples/session-windows.ts --set sink=collect   (results in JobResult.output('session-windows'))
 */
import { defineJob, EventTimeSessionWindows, WatermarkStrategy } from 'eddy';
import type { Collector, ProcessWindowContext, TimeWindow } from 'eddy';
import { exampleOutput } from './lib/example-output.js';
import { mix } from './lib/mix.js';

export interface PageView {
  readonly user: string;
  readonly page: string;
  readonly time: number;
}

export interface Session {
  readonly user: string;
  /** First view (inclusive) and last view + gap (exclusive), ms. */
  readonly start: number;
  readonly end: number;
  readonly views: number;
  /** Distinct pages, sorted. */
  readonly pages: readonly string[];
}

export const VIEWS = 30_000;
export const USERS = 200;
export const GAP = 30_000;
export const OUT_OF_ORDERNESS_MS = 5_000;
const PAGES = ['/home', '/search', '/product', '/cart', '/checkout', '/help'];

/**
 * View `n`: one every 100 ms, shifted by up to 5 s. Users take turns: in each 2-minute
 * period only a tenth of them are active (so a user's sessions are minutes apart), and
 * an active user views a page every few seconds.
 */
export function pageView(n: number): PageView {
  const base = n * 100;
  const period = Math.floor(base / 120_000);
  const group = USERS / 10;
  const user = `user-${(mix(n, 1) % group) + group * (period % 10)}`;
  return { user, page: PAGES[mix(n, 2) % PAGES.length]!, time: base + (mix(n, 3) % OUT_OF_ORDERNESS_MS) };
}

function summarize(user: string, ctx: ProcessWindowContext<TimeWindow>, views: Iterable<PageView>, out: Collector<Session>): void {
  const all = [...views];
  const { start, end } = ctx.window();
  out.collect({ user, start, end, views: all.length, pages: [...new Set(all.map((v) => v.page))].sort() });
}

export default defineJob((env) => {
  env
    .fromCollection(Array.from({ length: VIEWS }, (_, n) => pageView(n)))
    .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<PageView>(OUT_OF_ORDERNESS_MS).withTimestampAssigner((v) => v.time))
    .keyBy((v) => v.user)
    .window(EventTimeSessionWindows.withGap(GAP))
    .process(summarize)
    .uid('sessions')
    .sinkTo(exampleOutput(env, 'session-windows'))
    .name('sessions');
});
