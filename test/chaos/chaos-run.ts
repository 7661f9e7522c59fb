/**
 * Executes one planned chaos run and judges it: runs the job (in this process with
 * `startJob`, or as `eddy run` child processes killed with SIGKILL and resumed with
 * `--resume`), reads the committed jsonl output, compares it with the model, and checks
 * that every scheduled fault fired. A run has a deadline; past it the run is stopped and
 * reported failed.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startJob } from 'eddy';
import type { CheckpointStats, JobClient, RunOptions } from 'eddy';
import type { StorageFaults } from 'eddy/testing';
import { compareLines, expectedLines } from './chaos-model.js';
import type { OutputComparison } from './chaos-model.js';
import { describeJob, FAULT_KINDS, scheduledFaults } from './chaos-plan.js';
import type { FaultKind, RunPlan } from './chaos-plan.js';
import { formatJobFaults } from './jobs/chaos-faults.js';
import type { FiredFault } from './jobs/chaos-faults.js';
import { shapeParameters } from './jobs/chaos-shape.js';

/** The chaos job module. */
export const CHAOS_JOB = fileURLToPath(new URL('./jobs/chaos-job.ts', import.meta.url));
/** The CLI of this worktree. */
const EDDY_BIN = fileURLToPath(new URL('../../bin/eddy.js', import.meta.url));

/** What became of one run. */
export interface RunReport {
  readonly seed: number;
  readonly job: string;
  readonly plan: RunPlan;
  readonly scheduled: Record<FaultKind, number>;
  readonly fired: Record<FaultKind, number>;
  /** Records in the committed output, and the model's count. */
  readonly records: number;
  readonly expected: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unexpected: number;
  readonly restarts: number | undefined;
  readonly durationMs: number;
  readonly verdict: 'pass' | 'fail';
  /** Why it failed (empty when it passed). */
  readonly problems: readonly string[];
}

/** How to run. */
export interface RunSettings {
  /** Longest a run may take, in ms. */
  readonly deadlineMs: number;
}

/** Whether this worktree's `eddy run` has `--resume` (the kill -9 fault needs it). */
export function cliHasResume(): boolean {
  return execFileSync(process.execPath, [EDDY_BIN, 'run', '--help'], { encoding: 'utf8' }).includes('--resume');
}

class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/** Runs `plan` and judges it. */
export async function executeRun(plan: RunPlan, settings: RunSettings): Promise<RunReport> {
  const dir = mkdtempSync(join(tmpdir(), `eddy-chaos-${plan.seed}-`));
  const started = Date.now();
  const problems: string[] = [];
  let restarts: number | undefined;
  const storageFired: FaultKind[] = [];
  try {
    const paths = { out: join(dir, 'out'), checkpoints: join(dir, 'checkpoints'), faultLog: join(dir, 'faults.jsonl'), rocksdb: join(dir, 'rocksdb') };
    const deadline = started + settings.deadlineMs;
    try {
      if (plan.mode === 'cli') await runCli(plan, paths, deadline);
      else {
        const result = await runInProcess(plan, paths, deadline);
        restarts = result.restarts;
        storageFired.push(...result.storageFired);
      }
    } catch (error) {
      problems.push(error instanceof DeadlineExceeded ? `deadline: ${error.message}` : `run failed: ${String((error as Error)?.stack ?? error)}`);
    }
    const comparison = compareLines(expectedLines(plan.shape), readOutput(paths.out));
    const firedJobFaults = readFaultLog(paths.faultLog);
    const fired = countFired(firedJobFaults, storageFired);
    const scheduled = scheduledFaults(plan);
    checkFired(plan, firedJobFaults, storageFired, problems);
    checkOutput(comparison, problems);
    return {
      seed: plan.seed,
      job: describeJob(plan),
      plan,
      scheduled,
      fired,
      records: comparison.actual,
      expected: comparison.expected,
      lost: comparison.lost,
      duplicated: comparison.duplicated,
      unexpected: comparison.unexpected,
      restarts,
      durationMs: Date.now() - started,
      verdict: problems.length === 0 ? 'pass' : 'fail',
      problems,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface RunPaths {
  readonly out: string;
  readonly checkpoints: string;
  readonly faultLog: string;
  readonly rocksdb: string;
}

function jobParameters(plan: RunPlan, paths: RunPaths, life: number): Record<string, string> {
  return {
    ...shapeParameters(plan.shape),
    rate: String(plan.rate),
    holdAt: String(plan.holdAt),
    faults: formatJobFaults(plan.jobFaults),
    faultSubtask: String(plan.faultSubtask),
    life: String(life),
    faultLog: paths.faultLog,
    out: paths.out,
  };
}

/** Restarts at once, often enough for any schedule. */
const RESTARTS = { attempts: 20, delayMs: 0 };

function storageFaultOptions(plan: RunPlan): StorageFaults | undefined {
  if (plan.storageFaults.length === 0) return undefined;
  const state = plan.storageFaults.filter((f) => f.how === 'state-write').map((f) => f.checkpoint);
  const metadata = plan.storageFaults.filter((f) => f.how === 'metadata-write').map((f) => f.checkpoint);
  return { failStateWritesOfCheckpoints: state, failMetadataWritesOfCheckpoints: metadata, errorCode: plan.storageErrorCode };
}

async function runInProcess(plan: RunPlan, paths: RunPaths, deadline: number): Promise<{ restarts: number; storageFired: FaultKind[] }> {
  const aborted: CheckpointStats[] = [];
  const storageFaults = storageFaultOptions(plan);
  const options: RunOptions = {
    parallelism: plan.parallelism,
    maxParallelism: plan.maxParallelism,
    execution: 'threads',
    stateBackend: plan.backend === 'rocksdb' ? { kind: 'rocksdb', localDirectory: paths.rocksdb } : 'hashmap',
    checkpoint: {
      interval: plan.checkpointIntervalMs,
      mode: 'exactly-once',
      directory: paths.checkpoints,
      // a failed checkpoint write aborts that checkpoint; the job goes on
      tolerableFailures: plan.storageFaults.length,
    },
    restartStrategy: { type: 'fixed-delay', ...RESTARTS },
    parameters: jobParameters(plan, paths, 0),
    logLevel: 'silent',
    onWarning: () => undefined,
    onCheckpoint: (stats) => {
      if (stats.status === 'aborted') aborted.push(stats);
    },
    ...(storageFaults ? { testing: { storageFaults } } : {}),
  };
  const client = await startJob(CHAOS_JOB, options);
  const result = await withDeadline(client, deadline);
  const storageFired: FaultKind[] = [];
  for (const fault of plan.storageFaults) {
    const hit = aborted.find((s) => s.checkpointId === fault.checkpoint && (s.failureReason ?? '').includes(plan.storageErrorCode));
    if (hit) storageFired.push(fault.how);
  }
  if (result.status !== 'finished') throw new Error(`the job ended ${result.status}, not finished`);
  return { restarts: result.restarts, storageFired };
}

/** The job's result, or a {@link DeadlineExceeded} after canceling it at `deadline`. */
async function withDeadline(client: JobClient, deadline: number) {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), Math.max(0, deadline - Date.now()));
  });
  try {
    const outcome = await Promise.race([client.result, expired]);
    if (outcome !== 'expired') return outcome;
    await client.cancel();
    throw new DeadlineExceeded(`the job did not finish in time; canceled`);
  } finally {
    clearTimeout(timer);
  }
}

async function runCli(plan: RunPlan, paths: RunPaths, deadline: number): Promise<void> {
  const kill = plan.jobFaults.find((f) => f.how === 'kill');
  const first = await runEddy(plan, paths, 0, deadline);
  if (kill === undefined) {
    if (first.code !== 0) throw new Error(`eddy run exited with ${first.code ?? first.signal}: ${first.stderr.slice(-2000)}`);
    return;
  }
  if (first.signal !== 'SIGKILL') throw new Error(`eddy run was to be killed (SIGKILL) but ended with ${first.code ?? first.signal}: ${first.stderr.slice(-2000)}`);
  const second = await runEddy(plan, paths, 1, deadline);
  if (second.code !== 0) throw new Error(`eddy run --resume exited with ${second.code ?? second.signal}: ${second.stderr.slice(-2000)}`);
}

interface ChildOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

function runEddy(plan: RunPlan, paths: RunPaths, life: number, deadline: number): Promise<ChildOutcome> {
  const args = [
    EDDY_BIN,
    'run',
    CHAOS_JOB,
    '--parallelism', String(plan.parallelism),
    '--max-parallelism', String(plan.maxParallelism),
    '--state-backend', plan.backend,
    ...(plan.backend === 'rocksdb' ? ['--rocksdb-dir', paths.rocksdb] : []),
    '--checkpoint-interval', String(plan.checkpointIntervalMs),
    '--checkpointing-mode', 'exactly-once',
    '--checkpoint-dir', paths.checkpoints,
    '--restart-attempts', String(RESTARTS.attempts),
    '--restart-delay', String(RESTARTS.delayMs),
    '--rest-port', '0',
    '--log-level', 'warn',
    '--quiet',
    ...(life > 0 ? ['--resume'] : []),
    ...Object.entries(jobParameters(plan, paths, life)).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new DeadlineExceeded(`eddy run (life ${life}) did not end in time; killed`));
    }, Math.max(0, deadline - Date.now()));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

/** The committed output lines (`part-*.jsonl` of the jsonl sink); pending files are not output. */
function readOutput(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const lines: string[] = [];
  for (const name of readdirSync(dir).filter((n) => /^part-.*\.jsonl$/.test(n))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) if (line !== '') lines.push(line);
  }
  return lines;
}

function readFaultLog(file: string): FiredFault[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as FiredFault);
}

function countFired(jobFaults: readonly FiredFault[], storage: readonly FaultKind[]): Record<FaultKind, number> {
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  for (const f of jobFaults) counts[f.how]++;
  for (const k of storage) counts[k]++;
  return counts;
}

/** Each scheduled fault fired exactly once, and nothing else fired. */
function checkFired(plan: RunPlan, fired: readonly FiredFault[], storageFired: readonly FaultKind[], problems: string[]): void {
  const key = (f: { life: number; attempt: number; how: string; record?: number }) => `${f.life}:${f.attempt}:${f.how}:${f.record ?? ''}`;
  const firedKeys = fired.map(key);
  for (const f of plan.jobFaults) {
    const n = firedKeys.filter((k) => k === key(f)).length;
    if (n !== 1) problems.push(`fault ${key(f)} fired ${n} times, not once`);
  }
  const scheduledKeys = new Set(plan.jobFaults.map(key));
  for (const k of firedKeys) if (!scheduledKeys.has(k)) problems.push(`fault ${k} fired but was not scheduled`);
  if (storageFired.length !== plan.storageFaults.length) {
    problems.push(`${storageFired.length} of ${plan.storageFaults.length} storage faults fired (${plan.storageFaults.map((f) => `${f.how}@${f.checkpoint}`).join(', ')})`);
  }
}

function checkOutput(c: OutputComparison, problems: string[]): void {
  if (c.lost > 0 || c.duplicated > 0 || c.unexpected > 0) {
    problems.push(`output: ${c.lost} lost, ${c.duplicated} duplicated, ${c.unexpected} unexpected of ${c.expected} (${c.examples.join('; ')})`);
  }
}
