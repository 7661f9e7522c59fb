/**
 * Launches the job of a chaos run: in this process with `startJob` (storage faults go in
 * its options), or as `eddy run` child processes, the first killed with SIGKILL by its
 * own fault and the second resumed with `--resume`. Both stop at the run's deadline.
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startJob } from 'eddy';
import type { CheckpointStats, JobClient, JobResult, RunOptions } from 'eddy';
import type { StorageFaults } from 'eddy/testing';
import type { FaultKind, RunPlan } from './chaos-plan.js';
import { formatJobFaults } from './jobs/chaos-faults.js';
import { shapeParameters } from './jobs/chaos-shape.js';

/** The chaos job module. */
export const CHAOS_JOB = fileURLToPath(new URL('./jobs/chaos-job.ts', import.meta.url));
/** The CLI of this worktree. */
const EDDY_BIN = fileURLToPath(new URL('../../bin/eddy.js', import.meta.url));

/** Whether this worktree's `eddy run` has `--resume` (the kill -9 fault needs it). */
export function cliHasResume(): boolean {
  return execFileSync(process.execPath, [EDDY_BIN, 'run', '--help'], { encoding: 'utf8' }).includes('--resume');
}

/** The run did not end by its deadline. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';
}

/** Where a run's files go (all under one temporary directory). */
export interface RunPaths {
  readonly out: string;
  readonly checkpoints: string;
  readonly faultLog: string;
  readonly rocksdb: string;
  /** Where the source subtasks note that they passed their hold. */
  readonly hold: string;
}

function jobParameters(plan: RunPlan, paths: RunPaths, life: number): Record<string, string> {
  return {
    ...shapeParameters(plan.shape),
    rate: String(plan.rate),
    holdAt: String(plan.holdAt),
    holdDir: paths.hold,
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

/**
 * Runs the job in this process; says which storage faults fired (by the aborted checkpoints'
 * reasons) and what failed each attempt (the job's exception history, oldest first).
 *
 * @param abortedReasons - gets `checkpoint <id>: <reason>` of each aborted checkpoint as it
 *   is aborted, so that a run past its deadline still tells them
 */
export async function runInProcess(
  plan: RunPlan,
  paths: RunPaths,
  deadline: number,
  abortedReasons: string[] = [],
): Promise<{ restarts: number; storageFired: FaultKind[]; failures: string[] }> {
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
      if (stats.status !== 'aborted') return;
      aborted.push(stats);
      abortedReasons.push(`checkpoint ${stats.checkpointId}: ${stats.failureReason ?? '(no reason)'}`);
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
  // oldest first, so a report reads in the order things happened
  const failures = [...result.exceptions].reverse().map((e) => `attempt ${e.attempt} ${e.taskName ?? e.endpoint ?? '?'}: ${e.stacktrace.split('\n').slice(0, 12).join(' | ')}`);
  return { restarts: result.restarts, storageFired, failures };
}

/** The job's result, or a {@link DeadlineExceeded} after canceling it at `deadline`. */
async function withDeadline(client: JobClient, deadline: number): Promise<JobResult> {
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

/** Runs the job with `eddy run`; a plan with a kill runs it twice, the second time with `--resume`. */
export async function runCli(plan: RunPlan, paths: RunPaths, deadline: number): Promise<void> {
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
