/**
 * No debris from crashed runs: an `eddy run` with RocksDB state, checkpoints and a jsonl
 * sink is killed with SIGKILL; the next run on the same directories removes what the dead
 * process left (RocksDB working directories, in-progress checkpoints, in-progress part
 * files) while the files of a second, live `eddy run` and everything useful (committed
 * output, completed checkpoints) stay. Runs the built CLI (`npm run build` first).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startJob } from 'eddy';
import { isRocksDBAvailable } from '../../src/state/rocksdb/native/rocksdb-library.js';
import { ROOT } from './support.js';
import { waitUntil } from '../support/wait-until.js';

const EDDY = join(ROOT, 'bin', 'eddy.js');
const TICKER = join(ROOT, 'test', 'jobs', 'rest-ticker.ts');
const RUNNING_LINE = /^eddy: job ([0-9a-f]{32}) running/m;
const WAIT = { timeout: 60_000, interval: 50 };

let root: string;
let out: string;
let checkpoints: string;
let rocksdb: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'eddy-crash-debris-'));
  out = join(root, 'out');
  checkpoints = join(root, 'checkpoints');
  rocksdb = join(root, 'rocksdb');
});

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

interface Run {
  readonly child: ChildProcess;
  readonly jobId: string;
  readonly exited: Promise<void>;
}

/** Starts `eddy run` of the ticker on the shared directories; resolves with its job id. */
function startRun(): Promise<Run> {
  const args = ['run', TICKER, '-q', '-p', '2', '--slots', '2', '--rest-port', '0', '--set', `out=${out}`, '--set', 'rate=2'];
  args.push('--state-backend', 'rocksdb', '--rocksdb-dir', rocksdb, '--checkpoint-interval', '100', '--checkpoint-dir', checkpoints);
  const child = spawn(process.execPath, [EDDY, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = RUNNING_LINE.exec(stderr);
      if (m) resolve({ child, jobId: m[1]!, exited });
    });
    void exited.then(() => reject(new Error(`eddy run exited before it was running:\n${stderr}`)));
  });
}

/** Names in `dir`, or [] when it does not exist. */
function list(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

const tagOf = (jobId: string) => jobId.slice(0, 8);
const inProgressFiles = (jobId: string) => list(out).filter((n) => n.startsWith(`.part-${tagOf(jobId)}-`) && n.endsWith('.inprogress'));
const hiddenFiles = (jobId: string) => list(out).filter((n) => n.startsWith(`.part-${tagOf(jobId)}-`));
const completedCheckpoints = (jobId: string) => list(join(checkpoints, jobId)).filter((n) => existsSync(join(checkpoints, jobId, n, '_metadata')));
const instanceDirectories = (jobId: string) => list(join(rocksdb, jobId)).map((n) => join(rocksdb, jobId, n));

/** Sends SIGSTOP and waits until the process is stopped (state `T` in /proc, where there is one). */
async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGSTOP');
  const stat = `/proc/${child.pid}/stat`;
  if (!existsSync(stat)) return;
  await waitUntil(() => readFileSync(stat, 'utf8').split(') ')[1]?.startsWith('T') === true, { what: `process ${child.pid} to stop`, timeoutMs: WAIT.timeout });
}

/** Whether a run has completed a checkpoint, has RocksDB instances and an in-progress part file. */
function isBusy(jobId: string): boolean {
  return completedCheckpoints(jobId).length > 0 && instanceDirectories(jobId).length > 0 && inProgressFiles(jobId).length > 0;
}

/** Until a run is busy ({@link isBusy}). */
async function untilBusy(jobId: string): Promise<void> {
  await waitUntil(() => isBusy(jobId), { what: `run ${jobId} to be busy`, timeoutMs: WAIT.timeout, pollMs: WAIT.interval });
}

/**
 * Freezes a run (SIGSTOP) while it is busy: a part file may be committed between a look
 * and the signal, so the run is looked at again once frozen, and let go on until it is.
 */
async function freezeBusy(run: Run): Promise<void> {
  await waitUntil(
    async () => {
      if (!isBusy(run.jobId)) return false;
      await stop(run.child);
      if (isBusy(run.jobId)) return true;
      run.child.kill('SIGCONT');
      return false;
    },
    { what: `run ${run.jobId} to be frozen while busy`, timeoutMs: WAIT.timeout, pollMs: WAIT.interval },
  );
}

describe.skipIf(!isRocksDBAvailable())('debris of a run killed with SIGKILL', () => {
  it("is removed by the next run, while a live run's files, committed output and completed checkpoints stay", { timeout: 240_000 }, async () => {
    mkdirSync(out, { recursive: true });
    const live = await startRun();
    const crashed = await startRun();
    await untilBusy(live.jobId);
    await untilBusy(crashed.jobId);

    // freeze the run, so what it leaves is exactly what is seen here, then kill it
    await freezeBusy(crashed);
    const crashedInstances = instanceDirectories(crashed.jobId);
    const crashedInProgress = inProgressFiles(crashed.jobId);
    const crashedCompleted = completedCheckpoints(crashed.jobId);
    crashed.child.kill('SIGKILL');
    await crashed.exited;
    // a checkpoint the crash interrupted: its directory without `_metadata`
    const interrupted = join(checkpoints, crashed.jobId, 'chk-999999');
    mkdirSync(interrupted);

    // freeze the live run too (a stopped process is alive), so its files can be compared
    await stop(live.child);
    const liveInstances = instanceDirectories(live.jobId);
    const liveHidden = hiddenFiles(live.jobId);
    const liveCheckpointFiles = list(join(checkpoints, live.jobId));
    const committed = list(out).filter((n) => n.endsWith('.jsonl'));
    const committedSizes = committed.map((n) => statSync(join(out, n)).size);
    expect(crashedInstances.length).toBeGreaterThan(0);
    expect(crashedInProgress.length).toBeGreaterThan(0);
    expect(committed.length).toBeGreaterThan(0);

    const warnings: string[] = [];
    const next = await startJob(TICKER, {
      parallelism: 2,
      slots: 2,
      parameters: { out, rate: '2' },
      stateBackend: { kind: 'rocksdb', localDirectory: rocksdb },
      checkpoint: { interval: 100, directory: checkpoints },
      onWarning: (message) => warnings.push(message),
    });
    try {
      // the sink's subtask 0 cleans up while it initializes, so a checkpoint of the next run means it did
      await vi.waitFor(() => expect(completedCheckpoints(next.jobId).length).toBeGreaterThan(0), WAIT);

      for (const path of crashedInstances) expect(existsSync(path)).toBe(false);
      expect(existsSync(join(rocksdb, crashed.jobId))).toBe(false);
      for (const path of crashedInstances) expect(warnings.join('\n')).toContain(`removed RocksDB working directory '${path}'`);
      expect(inProgressFiles(crashed.jobId)).toEqual([]);
      expect(existsSync(interrupted)).toBe(false);
      expect(warnings.join('\n')).toContain(`in-progress checkpoint '${interrupted}'`);
      expect(completedCheckpoints(crashed.jobId)).toEqual(crashedCompleted);
      for (const [i, name] of committed.entries()) expect(statSync(join(out, name)).size).toBe(committedSizes[i]);

      for (const path of liveInstances) expect(existsSync(path)).toBe(true);
      expect(hiddenFiles(live.jobId)).toEqual(liveHidden);
      expect(list(join(checkpoints, live.jobId))).toEqual(liveCheckpointFiles);
    } finally {
      live.child.kill('SIGCONT');
      await next.cancel();
    }
    live.child.kill('SIGKILL');
    await live.exited;
  });
});
