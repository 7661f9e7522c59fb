import { describe, expect, it } from 'vitest';
import { GAP, pageView, VIEWS } from '../../examples/session-windows.js';
import type { PageView, Session } from '../../examples/session-windows.js';
import { multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/** Each user's views in time order, cut where two views are more than GAP apart (windows [t, t+GAP) touching at an end still merge, as in Flink). */
function referenceSessions(): Session[] {
  const byUser = new Map<string, PageView[]>();
  for (let n = 0; n < VIEWS; n++) {
    const v = pageView(n);
    byUser.set(v.user, [...(byUser.get(v.user) ?? []), v]);
  }
  const sessions: Session[] = [];
  for (const [user, views] of byUser) {
    views.sort((a, b) => a.time - b.time);
    let current: PageView[] = [];
    const close = () => {
      if (current.length === 0) return;
      sessions.push({ user, start: current[0]!.time, end: current.at(-1)!.time + GAP, views: current.length, pages: [...new Set(current.map((v) => v.page))].sort() });
      current = [];
    };
    for (const v of views) {
      if (current.length > 0 && v.time - current.at(-1)!.time > GAP) close();
      current.push(v);
    }
    close();
  }
  return sessions;
}

describe('examples/session-windows.ts', () => {
  const expected = referenceSessions();

  it('has several sessions per user', () => {
    expect(expected.length).toBeGreaterThan(2 * 200);
  });

  it.each(RUNS)('emits every session once with its exact bounds and pages at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<Session>('session-windows', parallelism, execution);
    expect(output.length).toBe(expected.length);
    expect(multisetDifference(output, expected)).toEqual(SAME_MULTISET);
  });
});
