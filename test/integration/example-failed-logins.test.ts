import { describe, expect, it } from 'vitest';
import { EVENTS, login, match } from '../../examples/failed-logins.js';
import type { Alert, Login } from '../../examples/failed-logins.js';
import { multisetDifference, RUNS, runExample, SAME_MULTISET } from './support.js';

/** The alerts, computed here: each user's events in time order (stable for equal times), matched one by one. */
function referenceAlerts(): Alert[] {
  const byUser = new Map<string, Login[]>();
  for (let n = 0; n < EVENTS; n++) {
    const e = login(n);
    byUser.set(e.user, [...(byUser.get(e.user) ?? []), e]);
  }
  const alerts: Alert[] = [];
  for (const events of byUser.values()) {
    const failures: number[] = [];
    for (const e of [...events].sort((a, b) => a.time - b.time)) {
      const alert = match(failures, e);
      if (alert) alerts.push(alert);
    }
  }
  return alerts;
}

describe('examples/failed-logins.ts', () => {
  const expected = referenceAlerts();

  it('has out-of-order input and alerts for many users', () => {
    let outOfOrder = 0;
    for (let n = 1; n < EVENTS; n++) if (login(n).time < login(n - 1).time) outOfOrder++;
    expect(outOfOrder).toBeGreaterThan(EVENTS / 10);
    expect(expected.length).toBeGreaterThan(100);
    expect(new Set(expected.map((a) => a.user)).size).toBeGreaterThan(50);
  });

  it.each(RUNS)('raises exactly the reference alerts at parallelism %i in %s mode', async (parallelism, execution) => {
    const output = await runExample<Alert>('failed-logins', parallelism, execution);
    expect(output.length).toBe(expected.length);
    expect(multisetDifference(output, expected)).toEqual(SAME_MULTISET);
  });
});
