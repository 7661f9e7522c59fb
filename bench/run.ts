/**
 * `npm run bench`: Eddy's benchmarks. Prints one JSON object per line on stdout
 * (`{"bench": …, "value": …, "unit": …}`) and a table on stderr. Record the figures in
 * bench/RESULTS.md with the machine and the command.
 *
 *   npm run bench                      # all
 *   npm run bench -- --only keyed      # those whose name contains "keyed"
 */
import { availableParallelism, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { runJob } from 'eddy';
import { valueStateReadModifyWrite } from './micro/value-state-rmw.js';

interface Result {
  readonly bench: string;
  readonly value: number;
  readonly unit: string;
  readonly detail?: Record<string, unknown>;
}

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
const results: Result[] = [];

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

for (const r of results) process.stderr.write(`${r.bench.padEnd(24)} ${r.value.toLocaleString('en-US').padStart(14)} ${r.unit}\n`);
