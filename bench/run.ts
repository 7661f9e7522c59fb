/**
 * `npm run bench`: Eddy's benchmarks. Prints one JSON object per line on stdout
 * (`{"bench": …, "value": …, "unit": …}`) and a table on stderr. Record the figures in
 * bench/RESULTS.md with the machine and the command.
 *
 *   npm run bench                      # all
 *   npm run bench -- --only keyed      # those whose name contains "keyed"
 *
 * Checkpoint benchmarks, by group (a group runs when its name contains the --only text):
 * snapshot-sync-vs-size, checkpoint-overhead, checkpoint-duration-vs-state, recovery-time.
 * `--only checkpoint` runs the second and third. The job runs of the last three measure
 * how much CPU other processes used meanwhile (bench/checkpoint/common.ts, `cpuMeter`)
 * and say in their unit when a figure comes from disturbed runs.
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runJob } from 'eddy';
import { checkpointDurationVsState } from './checkpoint/checkpoint-duration.js';
import { checkpointOverhead } from './checkpoint/checkpoint-overhead.js';
import { recoveryTime } from './checkpoint/recovery-time.js';
import { snapshotSyncVsSize } from './micro/snapshot-sync-vs-size.js';
import { valueStateReadModifyWrite } from './micro/value-state-rmw.js';

interface Result {
  readonly bench: string;
  readonly value: number;
  readonly unit: string;
  readonly detail?: Record<string, unknown>;
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const results: Result[] = [];
/** Whether the group of benchmarks called `name` runs under `--only`. */
const selected = (name: string) => !only || name.includes(only);

function report(r: Result): void {
  results.push(r);
  process.stdout.write(JSON.stringify(r) + '\n');
}

async function jobThroughput(bench: string, job: string, parallelism: number, records: number, extra: Record<string, string> = {}) {
  if (only && !bench.includes(only)) return;
  // warm-up run: the first run pays for loading tsx and the job module in each worker
  await runJob(job, { parallelism, parameters: { records: String(Math.min(records, 200_000)), ...extra } });
  const started = performance.now();
  const result = await runJob(job, { parallelism, parameters: { records: String(records), ...extra } });
  const seconds = (performance.now() - started) / 1000;
  const read = result.vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  if (read !== records) throw new Error(`${bench}: read ${read} records, expected ${records}`);
  report({
    bench,
    value: Math.round(records / seconds),
    unit: 'records/s',
    detail: { parallelism, records, seconds: +seconds.toFixed(3), perCore: Math.round(records / seconds / Math.min(parallelism, availableParallelism())) },
  });
}

async function startupLatency() {
  if (only && !'job-startup'.includes(only)) return;
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await runJob('bench/jobs/keyed-count.ts', { parallelism: 2, parameters: { records: '10' } });
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  report({ bench: 'job-startup-p2', value: Math.round(samples[2]!), unit: 'ms (median of 5, 10-record job)' });
}

process.stderr.write(`eddy bench: node ${process.version}, ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'}\n`);
await jobThroughput('stateless-chain-p1', 'bench/jobs/stateless-pipeline.ts', 1, 30_000_000);
await jobThroughput('keyed-count-p1', 'bench/jobs/keyed-count.ts', 1, 10_000_000);
await jobThroughput('keyed-count-p2', 'bench/jobs/keyed-count.ts', 2, 10_000_000);
await startupLatency();
if (!only || 'value-state-rmw'.includes(only)) {
  report(valueStateReadModifyWrite('int', 100_000, 10_000_000));
  report(valueStateReadModifyWrite('string', 100_000, 10_000_000));
}
if (selected('snapshot-sync-vs-size')) {
  for (const r of await snapshotSyncVsSize([10_000, 1_000_000])) report(r);
}
if (selected('checkpoint-overhead')) {
  // 7–10 s per run at parallelism 2 without checkpoints; off, on, off, on (more pairs if other processes disturbed runs)
  for (const r of await checkpointOverhead({ keys: 1_000_000, records: 80_000_000, minPairs: 2, maxPairs: 3, parallelism: 2, intervalMs: 1000 })) report(r);
}
if (selected('checkpoint-duration-vs-state')) {
  for (const r of await checkpointDurationVsState({ keySizes: [10_000, 100_000, 1_000_000], checkpoints: 4, intervalMs: 1000, parallelism: 2 })) report(r);
}
if (selected('recovery-time')) {
  // subtask 0 of the map fails at its 6,000,000th record (of 12,000,000), after a few checkpoints
  for (const r of await recoveryTime({ keys: 1_000_000, records: 24_000_000, failAt: 6_000_000, intervalMs: 500, minPairs: 2, maxPairs: 3, parallelism: 2 })) report(r);
}

for (const r of results) process.stderr.write(`${r.bench.padEnd(40)} ${r.value.toLocaleString('en-US').padStart(14)} ${r.unit}\n`);
