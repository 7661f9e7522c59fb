import { describe, expect, it } from 'vitest';
import { ProgressLine } from '../../src/cli/progress-line.js';
import type { JobProgress } from '../../src/cluster/job-result.js';

/** A non-terminal stream that keeps what is written (a line every 10 s there). */
function sink() {
  const lines: string[] = [];
  const out = { isTTY: false, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  return { out, lines };
}

const at = (elapsedMs: number, sourceRecords: number, sinkRecords: number, attempt = 0, status: JobProgress['status'] = 'running'): JobProgress => ({
  elapsedMs,
  sourceRecords,
  sinkRecords,
  attempt,
  status,
});

describe('the progress line', () => {
  it('never shows a negative rate when a restart starts the counters over', () => {
    const { out, lines } = sink();
    const line = new ProgressLine(out, true);
    line.update(at(10_000, 50_000, 40_000));
    line.update(at(20_000, 100_000, 90_000));
    line.update(at(30_000, 1_000, 500, 1)); // attempt 1: counters from 0 again
    line.update(at(40_000, 11_000, 10_500, 1));
    expect(lines).toEqual([
      'eddy: 10.0s  in 50,000 (5,000/s)  out 40,000 (4,000/s)\n',
      'eddy: 20.0s  in 100,000 (5,000/s)  out 90,000 (5,000/s)\n',
      'eddy: 30.0s  in 1,000 (0/s)  out 500 (0/s)\n',
      'eddy: 40.0s  in 11,000 (1,000/s)  out 10,500 (1,000/s)\n',
    ]);
    expect(lines.join('')).not.toContain('(-');
  });

  it('says the job is restarting, with the attempt about to start and the last failure', () => {
    const { out, lines } = sink();
    const line = new ProgressLine(out, true);
    line.failure("operator 'enrich' (subtask 1/2) failed: Error: db down");
    line.update(at(10_000, 0, 0, 2, 'restarting'));
    expect(lines).toEqual(["eddy: 10.0s  restarting (attempt 4, last failure: operator 'enrich' (subtask 1/2) failed: Error: db down)\n"]);
  });
});
