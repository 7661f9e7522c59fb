import { describe, expect, it } from 'vitest';
import { userEvent, EVENTS, USERS } from '../../examples/user-sessions.js';
import type { SessionSummary } from '../../examples/user-sessions.js';
import { multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/** The session summaries, computed here in input order without the engine. */
function referenceSummaries(): SessionSummary[] {
  const open = new Map<string, string[]>();
  const summaries: SessionSummary[] = [];
  for (let n = 0; n < EVENTS; n++) {
    const e = userEvent(n);
    const path = open.get(e.user) ?? [];
    if (e.kind === 'view') {
      path.push(e.page);
      open.set(e.user, path);
      continue;
    }
    open.delete(e.user);
    if (path.length === 0) continue;
    const views = new Map<string, number>();
    for (const page of path) views.set(page, (views.get(page) ?? 0) + 1);
    const [topPage] = [...views].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]!;
    summaries.push({ user: e.user, path, views: path.length, distinctPages: views.size, topPage });
  }
  return summaries;
}

describe('examples/user-sessions.ts', () => {
  const expected = referenceSummaries();

  it('has many sessions from many users in its input', () => {
    expect(expected.length).toBeGreaterThan(3000);
    expect(new Set(expected.map((s) => s.user)).size).toBeGreaterThan(USERS * 0.9);
  });

  it.each(RUNS)('emits the same session summaries at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<SessionSummary>('user-sessions', parallelism, execution);
    expect(output.length).toBe(expected.length);
    expect(multisetDifference(output, expected)).toEqual(SAME_MULTISET);
  });
});
