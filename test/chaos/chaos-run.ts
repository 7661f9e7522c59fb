/**
 * Executes one planned chaos run and judges it: runs the job (chaos-launch.ts), reads the
 * committed jsonl output, compares it with the model, and checks that every scheduled
 * fault fired. A run has a deadline; past it the run is stopped and reported failed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareLines, expectedLines } from './chaos-model.js';
import type { OutputComparison } from './chaos-model.js';
import { describeJob, FAULT_KINDS, scheduledFaults } from './chaos-plan.js';
import type { FaultKind, RunPlan } from './chaos-plan.js';
import type { FiredFault } from './jobs/chaos-faults.js';
import { DeadlineExceeded, runCli, runInProcess } from './chaos-launch.js';

export { cliHasResume } from './chaos-launch.js';

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
  /** The job's exception history, oldest first (in-process runs only): what made each restart. */
  readonly failures: readonly string[];
  /** Why each aborted checkpoint was aborted (in-process runs only; also when past the deadline). */
  readonly aborted: readonly string[];
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

/** Runs `plan` and judges it. */
export async function executeRun(plan: RunPlan, settings: RunSettings): Promise<RunReport> {
  const dir = mkdtempSync(join(tmpdir(), `eddy-chaos-${plan.seed}-`));
  const started = Date.now();
  const problems: string[] = [];
  let restarts: number | undefined;
  const failures: string[] = [];
  const abortedCheckpoints: string[] = [];
  const storageFired: FaultKind[] = [];
  try {
    const paths = { out: join(dir, 'out'), checkpoints: join(dir, 'checkpoints'), faultLog: join(dir, 'faults.jsonl'), rocksdb: join(dir, 'rocksdb'), hold: join(dir, 'hold') };
    const deadline = started + settings.deadlineMs;
    try {
      if (plan.mode === 'cli') await runCli(plan, paths, deadline);
      else {
        const result = await runInProcess(plan, paths, deadline, abortedCheckpoints);
        restarts = result.restarts;
        failures.push(...result.failures);
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
      failures,
      aborted: abortedCheckpoints,
      durationMs: Date.now() - started,
      verdict: problems.length === 0 ? 'pass' : 'fail',
      problems,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
