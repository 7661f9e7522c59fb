/**
 * Campaign 2's open seed 10 (docs/RELIABILITY.md), without its job faults: a failed write
 * of checkpoint 1's state (EIO on the RocksDB incremental snapshot files, parallelism 4,
 * worker threads) must abort that checkpoint only; the job goes on without a restart. The
 * run report's exception history and abort reasons say what happened when it does not.
 */
import { describe, expect, it } from 'vitest';
import { planRun } from './chaos-plan.js';
import { executeRun } from './chaos-run.js';

describe('a state-write fault on checkpoint 1 of chaos seed 10 (rocksdb, parallelism 4)', () => {
  it('aborts checkpoint 1 with the injected error and never restarts the job', { timeout: 120_000 }, async () => {
    const seeded = planRun(10, { killSupported: false });
    expect(seeded.backend).toBe('rocksdb');
    expect(seeded.storageFaults).toEqual([{ how: 'state-write', checkpoint: 1 }]);
    const report = await executeRun({ ...seeded, jobFaults: [] }, { deadlineMs: 100_000 });
    const context = `${report.problems.join(' | ')}; failures: ${report.failures.join(' || ')}; aborted: ${report.aborted.join(' || ')}`;
    expect(report.aborted.filter((a) => a.startsWith('checkpoint 1: ') && a.includes(seeded.storageErrorCode)), context).toHaveLength(1);
    expect(report.fired['state-write'], context).toBe(1);
    expect(report.failures, context).toEqual([]);
    expect(report.restarts, context).toBe(0);
    expect(report.problems, context).toEqual([]);
  });
});
