/** Helpers shared by the checkpoint benchmarks. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { CheckpointStats } from 'eddy';

/** One benchmark figure, as bench/run.ts prints it. */
export interface Result {
  readonly bench: string;
  readonly value: number;
  readonly unit: string;
  readonly detail?: Record<string, unknown>;
}

/** A fresh temporary checkpoint directory, removed by `dispose`. */
export function tempCheckpointDir(prefix: string): { readonly path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), `eddy-bench-${prefix}-`));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export const round = (x: number, digits = 1): number => (Number.isFinite(x) ? +x.toFixed(digits) : x);

/** The periodic checkpoints of a run that completed (not the final one taken after the input ended). */
export function periodicCompleted(checkpoints: readonly CheckpointStats[]): CheckpointStats[] {
  return checkpoints.filter((c) => c.status === 'completed' && !c.isFinal && c.kind === 'checkpoint');
}

/** Summary of some checkpoints: count, duration, state size and the tasks' sync/async parts. */
export function summarize(checkpoints: readonly CheckpointStats[]) {
  // the keyed count's tasks: the last vertex of the bench jobs (source → keyed count + sink)
  const all = checkpoints.flatMap((c) => c.tasks);
  const keyedVertex = Math.max(...all.map((t) => t.vertexId));
  const tasks = all.filter((t) => t.vertexId === keyedVertex);
  return {
    count: checkpoints.length,
    meanDurationMs: round(mean(checkpoints.map((c) => c.durationMs))),
    medianDurationMs: round(median(checkpoints.map((c) => c.durationMs))),
    maxDurationMs: checkpoints.length ? Math.max(...checkpoints.map((c) => c.durationMs)) : NaN,
    meanStateBytes: Math.round(mean(checkpoints.map((c) => c.stateBytes))),
    // per keyed-count task, over all these checkpoints
    maxSyncMs: tasks.length ? round(Math.max(...tasks.map((t) => t.syncMs)), 2) : NaN,
    meanAsyncMs: round(mean(tasks.map((t) => t.asyncMs))),
    meanAlignmentMs: round(mean(tasks.map((t) => t.alignmentMs))),
  };
}

/** A run during which other processes used at most this much of the machine (percent of all cores) counts as undisturbed. */
export const CLEAN_OTHER_CPU_PERCENT = 5;

/**
 * CPU time used by this process (all its threads) and by everything else on the
 * machine between `start` and `stop`, from /proc (Linux; undefined elsewhere). On a
 * shared machine, `otherCpuPercent` says how much another process may have disturbed a
 * run: percent of all cores' time over the run's wall time.
 */
export function cpuMeter(): { stop(): { ownCpuSeconds: number; ownCpuPercent: number; otherCpuPercent: number } | undefined } {
  const read = () => {
    try {
      const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
      const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
      // /proc/self/stat: fields after the ')' of the command name; utime and stime are the 12th and 13th
      const self = readFileSync('/proc/self/stat', 'utf8');
      const fields = self.slice(self.lastIndexOf(')') + 2).split(' ');
      return { busy: user + nice + system + irq + softirq + steal, own: Number(fields[11]) + Number(fields[12]), at: performance.now() };
    } catch {
      return undefined;
    }
  };
  const before = read();
  return {
    stop() {
      const after = read();
      if (!before || !after) return undefined;
      const capacity = ((after.at - before.at) / 1000) * 100 * availableParallelism(); // USER_HZ = 100
      const own = after.own - before.own;
      const other = Math.max(0, after.busy - before.busy - own);
      return { ownCpuSeconds: own / 100, ownCpuPercent: round((own / capacity) * 100), otherCpuPercent: round((other / capacity) * 100) };
    },
  };
}
