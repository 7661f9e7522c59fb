/**
 * `eddy run` as a child process for the resume and graceful-stop tests: start it, wait
 * for a line on stderr or for a file with a deadline (never a fixed sleep), signal it,
 * and collect how it exited. Runs the built CLI (`npm run build` first).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support.js';

const EDDY = join(ROOT, 'bin', 'eddy.js');

/** How an `eddy` process ended. */
export interface Exit {
  /** The exit code, or -1 when a signal ended it. */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly stdout: string;
}

/** A running `eddy` process. */
export class EddyProcess {
  private err = '';
  private out = '';
  readonly exited: Promise<Exit>;
  private readonly child: ChildProcess;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
    // the default REST port is taken from the environment, so 8081 being busy never matters here
    this.child = spawn(process.execPath, [EDDY, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, EDDY_DEFAULT_REST_PORT: '0', ...env },
    });
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => (this.err += d));
    this.child.stdout!.setEncoding('utf8').on('data', (d: string) => (this.out += d));
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code: code ?? -1, signal, stderr: this.err, stdout: this.out }));
    });
    RUNNING.add(this);
    void this.exited.then(() => RUNNING.delete(this));
  }

  /** What it wrote to stderr so far. */
  get stderr(): string {
    return this.err;
  }

  /** Sends `signal` to the process. */
  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Resolves with the first match of `pattern` on stderr; rejects when the process exits first or after `timeoutMs`. */
  async line(pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    let exited = false;
    void this.exited.then(() => (exited = true));
    return until(
      () => pattern.exec(this.err) ?? (exited ? fail(`eddy exited before printing ${pattern}:\n${this.err}`) : undefined),
      timeoutMs,
      () => `no line ${pattern} on stderr within ${timeoutMs} ms:\n${this.err}`,
    );
  }
}

const RUNNING = new Set<EddyProcess>();

/** Kills every process still running (afterEach). */
export function killAll(): void {
  for (const p of RUNNING) p.kill('SIGKILL');
}

function fail(message: string): never {
  throw new Error(message);
}

/** Polls `probe` every 20 ms until it returns a value; rejects after `timeoutMs`. */
export async function until<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The completed checkpoints (`chk-<n>` with `_metadata`) of run `jobId` under `checkpointDir`, newest first. */
export function completedCheckpoints(checkpointDir: string, jobId: string): string[] {
  const dir = join(checkpointDir, jobId);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^chk-\d+$/.test(n) && existsSync(join(dir, n, '_metadata')))
    .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)))
    .map((n) => join(dir, n));
}

/** Waits until run `jobId` has completed a checkpoint; resolves with its directory. */
export function firstCheckpoint(checkpointDir: string, jobId: string): Promise<string> {
  return until(() => completedCheckpoints(checkpointDir, jobId)[0], 60_000, () => `run ${jobId} completed no checkpoint in ${checkpointDir}`);
}

/** The `_job.json` of run `jobId`. */
export function jobRecord(checkpointDir: string, jobId: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(checkpointDir, jobId, '_job.json'), 'utf8')) as Record<string, unknown>;
}
