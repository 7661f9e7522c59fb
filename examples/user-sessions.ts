/**
 * User sessions: a click stream of page views and logouts. Per user, the pages of the
 * current session are kept in a ListState (the path, in order) and a MapState (page →
 * views); a logout emits a summary of the session and clears both. Sessions still open
 * when the input ends emit nothing.
 *
 * The events come from one non-parallel source (like a single Kafka partition), so each
 * user's events reach its keyed instance in order and the summaries are the same at every
 * parallelism.
 *
 *   eddy run examples/user-sessions.ts --parallelism 4
 *   eddy run examples/user-sessions.ts --set output=out/user-sessions
 *   eddy run examples/user-sessions.ts --set sink=collect   (results in JobResult.output('user-sessions'))
 */
import { defineJob, KeyedProcessFunction, ListStateDescriptor, MapStateDescriptor } from 'eddy';
import type { Collector, KeyedContext, ListState, MapState, RuntimeContext } from 'eddy';
import { exampleOutput } from './lib/example-output.js';
import { mix } from './lib/mix.js';

export type UserEvent = { user: string; kind: 'view'; page: string } | { user: string; kind: 'logout' };

export type SessionSummary = {
  user: string;
  /** Pages in the order they were viewed. */
  path: string[];
  views: number;
  distinctPages: number;
  /** The most viewed page (the alphabetically first on ties). */
  topPage: string;
};

export const EVENTS = 50_000;
export const USERS = 1_000;
export const PAGES = ['/home', '/search', '/product', '/cart', '/checkout', '/help', '/account', '/blog'] as const;

/** Event `n`: a scrambled user; about one event in ten is a logout, the rest are views. */
export function userEvent(n: number): UserEvent {
  const user = `user-${mix(n, 1) % USERS}`;
  if (mix(n, 2) % 10 === 0) return { user, kind: 'logout' };
  return { user, kind: 'view', page: PAGES[mix(n, 3) % PAGES.length]! };
}

class SessionTracker extends KeyedProcessFunction<string, UserEvent, SessionSummary> {
  private path!: ListState<string>;
  private viewsPerPage!: MapState<string, number>;

  override open(ctx: RuntimeContext): void {
    this.path = ctx.getListState(new ListStateDescriptor<string>('path'));
    this.viewsPerPage = ctx.getMapState(new MapStateDescriptor<string, number>('views-per-page'));
  }

  processElement(event: UserEvent, ctx: KeyedContext<string>, out: Collector<SessionSummary>): void {
    if (event.kind === 'view') {
      this.path.add(event.page);
      this.viewsPerPage.put(event.page, (this.viewsPerPage.get(event.page) ?? 0) + 1);
      return;
    }
    // logout: a user who logs out without viewing anything had no session worth reporting
    if (this.viewsPerPage.isEmpty()) return;
    const path = [...this.path.get()];
    let topPage = '';
    let topViews = 0;
    let distinctPages = 0;
    for (const [page, views] of this.viewsPerPage.entries()) {
      distinctPages++;
      if (views > topViews || (views === topViews && page < topPage)) [topPage, topViews] = [page, views];
    }
    out.collect({ user: ctx.getCurrentKey(), path, views: path.length, distinctPages, topPage });
    this.path.clear();
    this.viewsPerPage.clear();
  }
}

export default defineJob((env) => {
  env
    .fromCollection(Array.from({ length: EVENTS }, (_, n) => userEvent(n)))
    .keyBy((e) => e.user)
    .process(new SessionTracker())
    .uid('sessions')
    .sinkTo(exampleOutput(env, 'user-sessions'))
    .name('session-summaries');
});

