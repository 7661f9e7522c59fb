/**
 * On worker threads (the system clock, real time): a union whose second source never
 * emits still advances event time once that source is idle, and a drained
 * stop-with-savepoint ends event time everywhere while a plain stop does not.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startJob } from 'eddy';
import type { Observation } from './jobs/observe.js';
import { strictlyIncreasing, TempDirs, until, watermarks } from './support.js';

const JOB = fileURLToPath(new URL('./jobs/idle-union.ts', import.meta.url));
const dirs = new TempDirs();
afterAll(() => dirs.removeAll());

function readLog(file: string): Observation[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Observation);
}

describe('idleness and stop-with-savepoint on worker threads', () => {
  it.each([
    ['a drained stop ends event time everywhere', true],
    ['a plain stop leaves event time where it was', false],
  ])('advances the watermark past an idle input, and %s', { timeout: 90_000 }, async (_name, drain) => {
    const dir = dirs.make();
    const log = join(dir, 'observed.jsonl');
    const client = await startJob(JOB, { execution: 'threads', slots: 2, parameters: { log }, onWarning: () => {} });
    // both observers see a watermark: only possible once the silent source is idle
    await until(() => [0, 1].every((s) => watermarks(readLog(log).filter((o) => o.subtask === s)).some((w) => w >= 20)), 'both observers saw a watermark ≥ 20', 60_000);
    await client.stopWithSavepoint(join(dir, 'savepoints'), { drain });
    expect((await client.result).status).toBe('finished');

    for (const subtask of [0, 1]) {
      const seen = readLog(log).filter((o) => o.subtask === subtask);
      const marks = watermarks(seen);
      expect(strictlyIncreasing(marks)).toBe(true);
      if (drain) {
        expect(marks.at(-1)).toBe(Infinity);
        expect(seen.at(-1)).toEqual({ kind: 'finish', subtask });
      } else {
        expect(marks).not.toContain(Infinity);
        expect(seen.some((o) => o.kind === 'finish')).toBe(false);
      }
    }
  });
});
