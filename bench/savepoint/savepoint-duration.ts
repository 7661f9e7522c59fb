/**
 * `savepoint-duration`: how long a savepoint of a job holding `keys` keys of keyed state
 * (heap backend, ValueState<number> per key) takes. The job (bench/jobs/savepoint-keyed.ts)
 * reads every key `perKey` times and then idles, so each savepoint is taken of a full,
 * quiescent job: it measures writing the state, not competing with record processing.
 * Measured, in the main thread:
 *
 * - `triggerSavepoint(dir)`: from the call to the promise resolving (the `_metadata` is
 *   written), one savepoint after the other, with the `CheckpointStats` of each
 *   (`durationMs`, trigger → completion in the coordinator; `stateBytes`) and the bytes of
 *   the savepoint directory on disk. Each is timed with `cpuMeter`: savepoints go on
 *   until `repetitions` were undisturbed by other processes or `maxRepetitions` were
 *   taken; the figure is over the undisturbed ones (all, marked DISTURBED, if fewer
 *   than 3 were);
 * - `stopWithSavepoint(dir)` once: from the call to the promise resolving, and to the job's
 *   result (status `finished`). Its savepoint is returned for the restore benchmarks.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startJob } from 'eddy';
import type { CheckpointStats, JobClient } from 'eddy';
import { CLEAN_OTHER_CPU_PERCENT, cpuMeter, median, round, summarize, type Result } from '../checkpoint/common.js';
import { SAVEPOINT_BENCH_MAX_PARALLELISM } from '../jobs/savepoint-keyed.js';

export const SAVEPOINT_JOB = 'bench/jobs/savepoint-keyed.ts';

/** What the savepoint benchmark leaves for the restore benchmarks. */
export interface SavepointDurationOutcome {
  readonly results: Result[];
  /** The directory of the stop-with-savepoint's savepoint. */
  readonly savepoint: string;
}

/** `1m`, `100k`, `2500`: the key count in a benchmark's name. */
export function keysLabel(keys: number): string {
  if (keys >= 1e6 && keys % 1e6 === 0) return `${keys / 1e6}m`;
  if (keys >= 1e3 && keys % 1e3 === 0) return `${keys / 1e3}k`;
  return String(keys);
}

/** Bytes of every file under `dir`. */
export function directoryBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    bytes += entry.isDirectory() ? directoryBytes(path) : statSync(path).size;
  }
  return bytes;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the keyed vertex (the job's last) has processed `records` records. */
async function keyedRecordsIn(client: JobClient, records: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const keyed = client.details().vertices.at(-1)!;
    if (keyed.recordsIn >= records) return;
    if (client.status() !== 'running') throw new Error(`savepoint-duration: the job is ${client.status()} while filling its state`);
    if (performance.now() > deadline) throw new Error(`savepoint-duration: the keyed operator processed only ${keyed.recordsIn} of ${records} records in ${timeoutMs} ms`);
    await sleep(20);
  }
}

export async function savepointDuration(options: {
  keys: number;
  perKey: number;
  parallelism: number;
  /** Undisturbed savepoints wanted. */
  repetitions: number;
  /** At most this many savepoints in all. */
  maxRepetitions: number;
  /** Parent directory of the savepoints. */
  directory: string;
}): Promise<SavepointDurationOutcome> {
  const { keys, perKey, parallelism, repetitions, maxRepetitions, directory } = options;
  const label = keysLabel(keys);
  const fillStarted = performance.now();
  const client = await startJob(SAVEPOINT_JOB, {
    parallelism,
    parameters: { keys: String(keys), perKey: String(perKey), run: 'fill' },
    savepointDirectory: directory,
    progressIntervalMs: 20, // metrics from the workers every 20 ms, to see when the state is full
  });
  let stopped = false;
  try {
    await keyedRecordsIn(client, keys * perKey, 120_000);
    const fillMs = performance.now() - fillStarted;
    await sleep(500); // let the last buffers and the fill's garbage settle

    const samples: Array<{ callMs: number; stats: CheckpointStats; diskBytes: number; otherCpuPercent: number | undefined }> = [];
    const undisturbed = () => samples.filter((s) => (s.otherCpuPercent ?? 0) <= CLEAN_OTHER_CPU_PERCENT);
    while (undisturbed().length < repetitions && samples.length < maxRepetitions) {
      const meter = cpuMeter();
      const started = performance.now();
      const path = await client.triggerSavepoint(directory);
      const callMs = performance.now() - started;
      const otherCpuPercent = meter.stop()?.otherCpuPercent;
      const stats = client.checkpoints().find((c) => c.kind === 'savepoint' && c.directory === path);
      if (!stats || stats.status !== 'completed') throw new Error(`savepoint-duration: no completed savepoint stats for ${path}`);
      samples.push({ callMs, stats, diskBytes: directoryBytes(path), otherCpuPercent });
      await sleep(200);
    }

    const meter = cpuMeter();
    const stopStarted = performance.now();
    const savepoint = await client.stopWithSavepoint(directory);
    const stopCallMs = performance.now() - stopStarted;
    const result = await client.result;
    const stopToFinishedMs = performance.now() - stopStarted;
    stopped = true;
    const stopOtherCpuPercent = meter.stop()?.otherCpuPercent;
    if (result.status !== 'finished') throw new Error(`savepoint-duration: stop-with-savepoint ended the job as ${result.status}`);
    const stopStats = result.checkpoints.find((c) => c.kind === 'savepoint' && c.directory === savepoint);
    if (!stopStats) throw new Error(`savepoint-duration: no stats for the stop-with-savepoint's savepoint ${savepoint}`);

    const clean = undisturbed().length >= 3;
    const used = clean ? undisturbed() : samples;
    const callMs = used.map((s) => round(s.callMs));
    const common = { keys, perKey, parallelism, maxParallelism: SAVEPOINT_BENCH_MAX_PARALLELISM, backend: 'heap', fillMs: round(fillMs) };
    const results: Result[] = [
      {
        bench: `savepoint-duration-${label}-keys`,
        value: round(median(callMs)),
        unit: `ms triggerSavepoint call → resolved (median of ${used.length}${clean ? ' undisturbed' : ', DISTURBED'})`,
        detail: {
          ...common,
          callMs,
          minMs: Math.min(...callMs),
          maxMs: Math.max(...callMs),
          coordinatorDurationMs: used.map((s) => s.stats.durationMs),
          stateBytes: used.map((s) => s.stats.stateBytes),
          diskBytes: used.map((s) => s.diskBytes),
          keyedTasks: summarize(used.map((s) => s.stats)),
          // every savepoint taken, in order, and how much CPU other processes used meanwhile
          allCallMs: samples.map((s) => round(s.callMs)),
          otherCpuPercent: samples.map((s) => s.otherCpuPercent),
        },
      },
      {
        bench: `savepoint-size-${label}-keys`,
        value: samples[0]!.stats.stateBytes,
        unit: 'bytes (CheckpointStats.stateBytes of the savepoint)',
        detail: { ...common, diskBytesWithMetadata: samples[0]!.diskBytes, bytesPerKey: round(samples[0]!.stats.stateBytes / keys, 2) },
      },
      {
        bench: `stop-with-savepoint-duration-${label}-keys`,
        value: round(stopCallMs),
        unit: `ms stopWithSavepoint call → resolved (one run${(stopOtherCpuPercent ?? 0) <= CLEAN_OTHER_CPU_PERCENT ? '' : ', DISTURBED'})`,
        detail: {
          ...common,
          toJobFinishedMs: round(stopToFinishedMs),
          coordinatorDurationMs: stopStats.durationMs,
          stateBytes: stopStats.stateBytes,
          diskBytes: directoryBytes(savepoint),
          otherCpuPercent: stopOtherCpuPercent,
        },
      },
    ];
    return { results, savepoint };
  } finally {
    if (!stopped) await client.cancel().catch(() => {});
  }
}
