/**
 * The progress line `eddy run` keeps on stderr: redrawn in place on a terminal, and
 * written as a plain line every 10 s otherwise (logs). Nothing for the first 2 s, so
 * short jobs stay quiet. While the job waits to restart it says so, with the last
 * failure; rates are per attempt and never negative (counters start over with each attempt).
 */
import type { CheckpointStats } from '../checkpoint/checkpoint-stats.js';
import type { JobProgress, JobResult } from '../cluster/job-result.js';

const QUIET_START_MS = 2000;
const LOG_INTERVAL_MS = 10_000;
const fmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Keeps one progress line on a stream. */
export class ProgressLine {
  private shown = false;
  private lastLog = 0;
  private previous: JobProgress | undefined;
  private lastCheckpoint: CheckpointStats | undefined;
  private lastFailure: string | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly enabled: boolean,
  ) {}

  update(p: JobProgress): void {
    const line = this.format(p);
    if (!this.enabled || p.elapsedMs < QUIET_START_MS) return;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${line}`);
      this.shown = true;
    } else if (p.elapsedMs - this.lastLog >= LOG_INTERVAL_MS) {
      this.out.write(`${line}\n`);
      this.lastLog = p.elapsedMs;
    }
  }

  /** Remembers the latest checkpoint, shown at the end of the progress line. */
  checkpoint(stats: CheckpointStats): void {
    if (stats.status === 'completed' && !stats.isFinal) this.lastCheckpoint = stats;
  }

  /** Remembers the latest failure (one line), shown while the job restarts. */
  failure(reason: string): void {
    this.lastFailure = reason;
  }

  clear(): void {
    if (this.shown) this.out.write('\r\x1b[2K');
    this.shown = false;
  }

  /**
   * `eddy: 12.0s  in 1,234,567 (980,000/s)  out 1,234,000 (979,000/s)`, or while restarting
   * `eddy: 12.0s  restarting (attempt 3, last failure: …)`.
   */
  private format(p: JobProgress): string {
    // counters start over with each attempt: a rate across two attempts means nothing
    const prev = this.previous?.attempt === p.attempt ? this.previous : p.attempt === 0 ? { elapsedMs: 0, sourceRecords: 0, sinkRecords: 0 } : undefined;
    this.previous = p;
    if (p.status === 'restarting') {
      const reason = this.lastFailure ? `, last failure: ${this.lastFailure}` : '';
      // the attempt about to start, counted from 1 as a user counts runs
      return `eddy: ${(p.elapsedMs / 1000).toFixed(1)}s  restarting (attempt ${p.attempt + 2}${reason})`;
    }
    const rate = (now: number, before: number | undefined, dtMs: number) => (before === undefined || dtMs <= 0 ? 0 : Math.max(0, now - before) / (dtMs / 1000));
    const dt = p.elapsedMs - (prev?.elapsedMs ?? 0);
    const inRate = rate(p.sourceRecords, prev?.sourceRecords, dt);
    const outRate = rate(p.sinkRecords, prev?.sinkRecords, dt);
    const c = this.lastCheckpoint;
    // incremental checkpoints store part of the state they hold: "stored of held"
    const size = c && c.fullStateBytes !== undefined && c.fullStateBytes !== c.stateBytes ? `${formatBytes(c.stateBytes)} of ${formatBytes(c.fullStateBytes)}` : c ? formatBytes(c.stateBytes) : '';
    const chk = c ? `  checkpoint ${c.checkpointId} (${fmt.format(c.durationMs)} ms, ${size})` : '';
    return `eddy: ${(p.elapsedMs / 1000).toFixed(1)}s  in ${fmt.format(p.sourceRecords)} (${fmt.format(inRate)}/s)  out ${fmt.format(p.sinkRecords)} (${fmt.format(outRate)}/s)${chk}`;
  }
}

/** The line printed when a job ended. */
export function formatSummary(result: JobResult): string {
  const records = result.vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  const { completed, aborted } = result.checkpointCounts;
  const parts = [`${fmt.format(records)} source records in the last attempt`];
  if (completed + aborted > 0) parts.push(`${completed} checkpoints completed, ${aborted} aborted`);
  if (result.restarts > 0) parts.push(`${result.restarts} restart${result.restarts === 1 ? '' : 's'}`);
  return `eddy: job ${result.jobId.slice(0, 8)} ${result.status} in ${(result.durationMs / 1000).toFixed(2)}s (${parts.join(', ')})`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
