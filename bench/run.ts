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
 *
 * RocksDB benchmarks (bench/rocksdb/): `rocksdb-state-ops` (per-operation cost against the
 * heap backend), `rocksdb-checkpoint-restore` (full against incremental checkpoints of
 * ~1 GB of state, then restore and rescale; `--rocksdb-keys N` changes the key count), and
 * `keyed-count-p2-rocksdb` (the keyed count job on the rocksdb backend); `--only rocksdb`
 * runs all three.
 *
 * Savepoint benchmarks (bench/savepoint/), one group `savepoint-restore-rescale` (so
 * `--only savepoint`, `--only restore` or `--only rescale` run it): savepoint and
 * stop-with-savepoint duration of a job holding 1,000,000 keys at parallelism 2, then
 * restores of that savepoint at parallelism 1, 2 and 4. `--savepoint-keys N` changes the
 * key count (e.g. `npm run bench -- --only savepoint --savepoint-keys 100000`).
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runJob } from 'eddy';
import type { StateBackendKind } from 'eddy';
import { checkpointDurationVsState } from './checkpoint/checkpoint-duration.js';
import { checkpointOverhead } from './checkpoint/checkpoint-overhead.js';
import { recoveryTime } from './checkpoint/recovery-time.js';
import { savepointBenchmarks } from './savepoint/savepoint-benchmarks.js';
import { snapshotSyncVsSize } from './micro/snapshot-sync-vs-size.js';
import { valueStateReadModifyWrite } from './micro/value-state-rmw.js';
import { rocksdbBackendCheckpoints } from './rocksdb/backend-checkpoints.js';
import { stateOperationCosts } from './rocksdb/state-operations.js';

interface Result {
  readonly bench: string;
  readonly value: number;
  readonly unit: string;
  readonly detail?: Record<string, unknown>;
}

const argument = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const only = argument('--only');
const savepointKeys = Number(argument('--savepoint-keys') ?? 1_000_000);
if (!Number.isInteger(savepointKeys) || savepointKeys < 1000) throw new Error(`--savepoint-keys: expected an integer ≥ 1000, got ${argument('--savepoint-keys')}`);
const rocksdbKeys = Number(argument('--rocksdb-keys') ?? 1_000_000);
if (!Number.isInteger(rocksdbKeys) || rocksdbKeys < 1000) throw new Error(`--rocksdb-keys: expected an integer ≥ 1000, got ${argument('--rocksdb-keys')}`);
const results: Result[] = [];
/** Whether the group of benchmarks called `name` runs under `--only`. */
const selected = (name: string) => !only || name.includes(only);

function report(r: Result): void {
  results.push(r);
  process.stdout.write(JSON.stringify(r) + '\n');
}

async function jobThroughput(
  bench: string,
  job: string,
  parallelism: number,
  records: number,
  extra: Record<string, string> = {},
  stateBackend: StateBackendKind = 'hashmap',
) {
  if (only && !bench.includes(only)) return;
  // warm-up run: the first run pays for loading tsx and the job module in each worker
  await runJob(job, { parallelism, stateBackend, parameters: { records: String(Math.min(records, 200_000)), ...extra } });
  const started = performance.now();
  const result = await runJob(job, { parallelism, stateBackend, parameters: { records: String(records), ...extra } });
  const seconds = (performance.now() - started) / 1000;
  const read = result.vertices.filter((v) => v.isSource).reduce((n, v) => n + v.recordsIn, 0);
  if (read !== records) throw new Error(`${bench}: read ${read} records, expected ${records}`);
  report({
    bench,
    value: Math.round(records / seconds),
    unit: 'records/s',
    detail: { parallelism, stateBackend, records, seconds: +seconds.toFixed(3), perCore: Math.round(records / seconds / Math.min(parallelism, availableParallelism())) },
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
await jobThroughput('keyed-count-p2-rocksdb', 'bench/jobs/keyed-count.ts', 2, 2_000_000, {}, 'rocksdb');
await startupLatency();
// windows in event time (bench/jobs/window-aggregation.ts): tumbling and sliding with reduce, sessions with a process function
await jobThroughput('window-tumbling-reduce-p2', 'bench/jobs/window-aggregation.ts', 2, 1_000_000, { kind: 'tumbling' });
await jobThroughput('window-sliding-reduce-p2', 'bench/jobs/window-aggregation.ts', 2, 200_000, { kind: 'sliding' });
await jobThroughput('window-session-process-p2', 'bench/jobs/window-aggregation.ts', 2, 500_000, { kind: 'session' });
if (!only || 'value-state-rmw'.includes(only)) {
  report(valueStateReadModifyWrite('int', 100_000, 10_000_000));
  report(valueStateReadModifyWrite('string', 100_000, 10_000_000));
}
if (selected('rocksdb-state-ops')) {
  for (const r of await stateOperationCosts(200_000, 500_000)) report(r);
}
if (selected('rocksdb-checkpoint-restore')) {
  // ~1.1 GB of state: 1,000,000 keys of 1,000-byte values (plus key and encoding), fill ~2 min
  for (const r of await rocksdbBackendCheckpoints({ keys: rocksdbKeys, valueBytes: 1000 })) report(r);
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
if (selected('savepoint-restore-rescale')) {
  // at 1M keys ~1 min undisturbed, at most ~2.5 min: fill; 5 undisturbed savepoints (≤ 12); stop-with-savepoint;
  // 3 undisturbed rounds (≤ 7) of a restore and an empty start at p = 1, 2, 4 (~10 s a round)
  const options = { keys: savepointKeys, perKey: 1, parallelism: 2, savepoints: 5, maxSavepoints: 12, restoreParallelisms: [1, 2, 4], restoreRounds: 3, maxRestoreRounds: 7 };
  for (const r of await savepointBenchmarks(options)) report(r);
}

for (const r of results) process.stderr.write(`${r.bench.padEnd(40)} ${r.value.toLocaleString('en-US').padStart(14)} ${r.unit}\n`);
