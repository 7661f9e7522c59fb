/**
 * Record timestamps travel with their records through chains and across threads: an
 * operator's records inherit the timestamp of its input, an explicit timestamp holds for
 * the operators after the one that gave it, and the operator that emitted keeps its own.
 * A job without a watermark strategy still ends event time: MAX_WATERMARK reaches every
 * operator after the last record and before it finishes.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runJob } from 'eddy';
import type { Observation } from './jobs/observe.js';

const JOB = fileURLToPath(new URL('./jobs/timestamps.ts', import.meta.url));
const RECORDS = 3000;

describe('record timestamps', () => {
  it.each(['single-thread', 'threads'] as const)('reach the operators after a keyBy with every record, each re-stamp applied once (%s)', async (execution) => {
    const result = await runJob(JOB, { execution, slots: 2, parameters: { records: String(RECORDS) } });
    const observed = result.output<Observation>('observed');
    const records = observed.filter((o): o is Extract<Observation, { kind: 'record' }> => o.kind === 'record');
    expect(records).toHaveLength(2 * RECORDS);
    const wrong = records.filter((o) => o.timestamp !== (o.value as { i: number }).i * 10 + 1001);
    expect(wrong.slice(0, 3)).toEqual([]);
    expect(new Set(records.map((o) => o.subtask))).toEqual(new Set([0, 1]));

    for (const subtask of [0, 1]) {
      const own = observed.filter((o) => o.subtask === subtask);
      // no strategy: the only watermark is the end of event time, after the last record, then finish
      expect(own.filter((o) => o.kind !== 'record')).toEqual([
        { kind: 'watermark', subtask, watermark: 'Infinity' },
        { kind: 'finish', subtask },
      ]);
      expect(own.at(-2)).toEqual({ kind: 'watermark', subtask, watermark: 'Infinity' });
    }
  });
});
