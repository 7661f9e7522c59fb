/**
 * A few seeds of the chaos campaign (docs/RELIABILITY.md) in the normal test run: each
 * seeded job, under its seeded faults, must emit exactly the model's output and every
 * scheduled fault must fire. `npm run test:chaos -- --runs 1 --seed S` replays seed S.
 */
import { describe, expect, it } from 'vitest';
import { compareLines } from './chaos-model.js';
import { describeJob, planRun, scheduledFaults } from './chaos-plan.js';
import { cliHasResume, executeRun } from './chaos-run.js';

/**
 * Seeds picked from a campaign so that together they cover throws, worker thread death,
 * a failing restore and checkpoint storage faults, on both backends; where `eddy run`
 * has `--resume`, seed 7 draws a kill -9 and runs through the CLI instead.
 */
const CI_SEEDS = [4, 5, 7];

describe('the chaos campaign', () => {
  const killSupported = cliHasResume();

  it.each(CI_SEEDS)('seed %i loses and duplicates nothing and fires every scheduled fault', { timeout: 120_000 }, async (seed) => {
    const plan = planRun(seed, { killSupported });
    const report = await executeRun(plan, { deadlineMs: 100_000 });
    const context = `seed ${seed}: ${describeJob(plan)}; ${report.problems.join(' | ')}`;
    expect(report.problems, context).toEqual([]);
    expect({ lost: report.lost, duplicated: report.duplicated, unexpected: report.unexpected, records: report.records }, context).toEqual({
      lost: 0,
      duplicated: 0,
      unexpected: 0,
      records: report.expected,
    });
    expect(report.fired, context).toEqual(report.scheduled);
    // in this process the report names what failed each attempt: one entry per restart
    if (plan.mode === 'in-process') expect(report.failures, context).toHaveLength(report.restarts ?? -1);
  });

  it('the CI seeds schedule every kind of fault (kill -9 where the CLI has --resume)', () => {
    const totals = new Map<string, number>();
    for (const seed of CI_SEEDS) {
      for (const [kind, n] of Object.entries(scheduledFaults(planRun(seed, { killSupported })))) totals.set(kind, (totals.get(kind) ?? 0) + n);
    }
    const kinds = ['throw', 'exit-thread', 'restore', 'state-write', 'metadata-write', ...(killSupported ? ['kill'] : [])];
    for (const kind of kinds) expect(totals.get(kind), kind).toBeGreaterThan(0);
  });

  it('a seed gives the same plan every time', () => {
    expect(planRun(12345, { killSupported: true })).toEqual(planRun(12345, { killSupported: true }));
    expect(planRun(12345, { killSupported: true })).not.toEqual(planRun(12346, { killSupported: true }));
  });

  it('the comparison counts lost, duplicated and unexpected lines', () => {
    expect(compareLines(['a', 'b', 'b', 'c'], ['b', 'a', 'c', 'b'])).toMatchObject({ lost: 0, duplicated: 0, unexpected: 0 });
    expect(compareLines(['a', 'b', 'c'], ['a', 'a', 'c', 'x'])).toMatchObject({ lost: 1, duplicated: 1, unexpected: 1 });
  });
});
