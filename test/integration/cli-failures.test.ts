/**
 * `eddy run` of a job that keeps failing the same way with checkpointing on (so the
 * default restart strategy retries forever): stderr shows each failure with its operator,
 * subtask, attempt and the user's stack, then says once that the job keeps failing, and
 * the REST API lists the failures. Runs the built CLI (`npm run build` first).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobExceptionsResponse, JobDetailsResponse } from '../../src/cluster/rest/rest-messages.js';
import { ROOT } from './support.js';

const EDDY = join(ROOT, 'bin', 'eddy.js');
const FAILING = join(ROOT, 'test', 'jobs', 'runtime-failure.ts');
const REST_LINE = /^eddy: job ([0-9a-f]{32}) running; REST API at (http:\/\/127\.0\.0\.1:\d+)$/m;
const KEEPS_FAILING = "eddy: job keeps failing the same way: operator 'opener' (subtask 1/1";

let child: ChildProcess | undefined;
let directory: string | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const closed = new Promise((resolve) => child!.once('close', resolve));
    child.kill('SIGKILL');
    await closed;
  }
  child = undefined;
  if (directory) await rm(directory, { recursive: true, force: true });
  directory = undefined;
});

/** Polls `read()` until it returns a value, or fails after `ms`. */
async function until<T>(what: string, ms: number, read: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('eddy run of a job whose open() throws, with checkpointing on', () => {
  it('logs each failure with operator, subtask and attempt, says once that it keeps failing, and lists the failures over REST', async () => {
    directory = await mkdtemp(join(tmpdir(), 'eddy-cli-failures-'));
    const args = ['run', FAILING, '--set', 'case=open-head', '-p', '1', '--slots', '1', '--checkpoint-interval', '100'];
    args.push('--checkpoint-dir', directory, '--rest-port', '0', '--log-format', 'json');
    const running = spawn(process.execPath, [EDDY, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child = running;
    let stderr = '';
    running.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));

    const [, jobId, address] = await until('the job-id line', 60_000, () => REST_LINE.exec(stderr) ?? undefined);
    await until('the keeps-failing line', 150_000, () => (stderr.includes(KEEPS_FAILING) ? true : undefined));
    expect(running.exitCode).toBe(null); // it does not exit on its own

    // the failure records: JSON lines, one per failed attempt
    const records = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r['level'] === 50 && r['job'] === jobId);
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.slice(0, 3).map((r) => [r['operator'], r['subtask'], r['attempt']])).toEqual([
      ['opener', 0, 0],
      ['opener', 0, 1],
      ['opener', 0, 2],
    ]);
    const stack = (records[0]!['err'] as { stack: string }).stack;
    expect(stack).toContain('Caused by: Error: cannot open the pod bay doors');
    expect(stack).toMatch(/FailingOpen\.open .*runtime-failure\.ts:\d+/);
    expect(stderr.split(KEEPS_FAILING)).toHaveLength(2); // exactly once

    const exceptions = (await (await fetch(`${address}/jobs/${jobId}/exceptions`)).json()) as JobExceptionsResponse;
    const entries = exceptions.exceptionHistory.entries;
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.map((e) => e.attempt)).toEqual([...entries.map((e) => e.attempt)].sort((a, b) => b - a)); // newest first
    expect(entries.at(-1)).toMatchObject({
      exceptionName: 'TaskFailureError',
      taskName: 'opener (1/1)#0',
      endpoint: 'worker-thread-0',
      failureLabels: {},
      concurrentExceptions: [],
      operator: 'opener',
      subtask: 0,
      attempt: 0,
    });
    expect(entries.at(-1)!.stacktrace).toContain('FailingOpen.open');
    expect(exceptions.exceptionHistory.truncated).toBe(false);

    const details = (await (await fetch(`${address}/jobs/${jobId}`)).json()) as JobDetailsResponse;
    expect(['RESTARTING', 'RUNNING']).toContain(details.state);
    expect(details.restarts).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
