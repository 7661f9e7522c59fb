/**
 * `checkpoint-duration-vs-state`: end-to-end checkpoint duration (trigger → `_metadata`
 * written, `CheckpointStats.durationMs`) of the keyed count at parallelism 2 with 10k,
 * 100k and 1M keys in state. The job reads a sequence far longer than needed and is
 * canceled once `checkpoints` periodic checkpoints completed; every checkpoint is taken
 * with the full key set in state (the keys fill within the first second). A run that
 * other processes disturbed (see `cpuMeter`) is repeated once, and the less disturbed of
 * the two is kept.
 */
import { startJob } from 'eddy';
import type { CheckpointStats, JobResult } from 'eddy';
import { CLEAN_OTHER_CPU_PERCENT, cpuMeter, median, periodicCompleted, round, summarize, tempCheckpointDir, type Result } from './common.js';

const JOB = 'bench/jobs/keyed-count.ts';

export async function checkpointDurationVsState(options: {
  keySizes: readonly number[];
  checkpoints: number;
  intervalMs: number;
  parallelism: number;
}): Promise<Result[]> {
  const { keySizes, checkpoints, intervalMs, parallelism } = options;
  const results: Result[] = [];
  const dir = tempCheckpointDir('duration');
  const run = async (keys: number): Promise<{ result: JobResult; otherCpuPercent: number | undefined }> => {
    let completed = 0;
    let cancel: (() => void) | undefined;
    const meter = cpuMeter();
    const client = await startJob(JOB, {
      parallelism,
      parameters: { records: String(1e12), keys: String(keys) },
      checkpoint: { interval: intervalMs, directory: dir.path },
      onCheckpoint: (stats: CheckpointStats) => {
        if (stats.status === 'completed' && !stats.isFinal && ++completed === checkpoints) setImmediate(() => cancel?.());
      },
    });
    cancel = () => void client.cancel();
    const result = await client.result;
    return { result, otherCpuPercent: meter.stop()?.otherCpuPercent };
  };
  try {
    for (const keys of keySizes) {
      let chosen = await run(keys);
      let runs = 1;
      if ((chosen.otherCpuPercent ?? 0) > CLEAN_OTHER_CPU_PERCENT) {
        const again = await run(keys);
        runs++;
        if ((again.otherCpuPercent ?? 0) < (chosen.otherCpuPercent ?? 0)) chosen = again;
      }
      const { result, otherCpuPercent } = chosen;
      const periodic = periodicCompleted(result.checkpoints);
      const s = summarize(periodic);
      results.push({
        bench: `checkpoint-duration-vs-state-${keys >= 1e6 ? `${keys / 1e6}m` : `${keys / 1e3}k`}-keys`,
        value: round(median(periodic.map((c) => c.durationMs))),
        unit: `ms trigger→complete (median of ${periodic.length})`,
        detail: {
          keys,
          parallelism,
          intervalMs,
          durationsMs: periodic.map((c) => c.durationMs),
          stateBytes: s.meanStateBytes,
          maxSyncMs: s.maxSyncMs,
          meanAsyncMs: s.meanAsyncMs,
          meanAlignmentMs: s.meanAlignmentMs,
          aborted: result.checkpointCounts.aborted,
          otherCpuPercent,
          runs,
        },
      });
    }
  } finally {
    dir.dispose();
  }
  return results;
}
