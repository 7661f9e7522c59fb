/**
 * `eddy run` with its REST API, operated by `eddy list`, `savepoint`, `stop` and
 * `cancel` from other processes, as a person or a script would. Runs the built CLI
 * (`npm run build` first).
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunRestApi } from '../../src/cli/run-rest-api.js';
import type { JobDetailsResponse } from '../../src/cluster/rest/rest-messages.js';
import type { KeyCount } from '../jobs/rest-ticker.js';
import { ROOT } from './support.js';

const EDDY = join(ROOT, 'bin', 'eddy.js');
const TICKER = join(ROOT, 'test', 'jobs', 'rest-ticker.ts');
const REST_LINE = /^eddy: job ([0-9a-f]{32}) running; REST API at (http:\/\/127\.0\.0\.1:(\d+))$/m;

type CliOutcome = { code: number; stdout: string; stderr: string };

/** Runs `node bin/eddy.js ...args`; never rejects, gives up after 60 s. */
function eddy(args: readonly string[], cwd = ROOT): Promise<CliOutcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [EDDY, ...args], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** A running `eddy run`. */
interface RunningJob {
  readonly jobId: string;
  readonly address: string;
  /** Settles when the process exits. */
  readonly exited: Promise<CliOutcome>;
}

const started: ChildProcess[] = [];

/** Starts `eddy run ...args` in the background; resolves once it printed its REST address. */
function startRun(args: readonly string[]): Promise<RunningJob> {
  const child = spawn(process.execPath, [EDDY, 'run', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  const exited = new Promise<CliOutcome>((resolve) => {
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? -1 : 0), stdout, stderr }));
  });
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      const m = REST_LINE.exec(stderr);
      if (m) resolve({ jobId: m[1]!, address: m[2]!, exited });
    });
    void exited.then((outcome) => reject(new Error(`eddy run exited (${outcome.code}) before printing its REST address:\n${outcome.stderr}`)));
  });
}

/**
 * Until the job runs and its source has emitted records (so its tasks are deployed and a
 * savepoint can be taken), read through `GET /jobs/:id`; polls with a generous deadline.
 */
async function untilProcessing(run: RunningJob): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${run.address}/jobs/${run.jobId}`);
    const details = (await response.json()) as JobDetailsResponse;
    const source = details.vertices.find((v) => v['is-source']);
    if (details.state === 'RUNNING' && source && source.metrics['write-records'] > 0) return;
    if (Date.now() > deadline) throw new Error(`job ${run.jobId} is not processing: ${JSON.stringify(details)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The lines of a text, without a trailing empty one. */
function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => line.length > 0 || i < all.length - 1);
}

/** A TCP server on a free port of 127.0.0.1, to make that port taken. */
async function occupyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return { server, port: address.port };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** The status of `GET /jobs` sent with this Host header. */
function statusFor(port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/jobs', setHost: false, headers: { Host: host } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The records of every committed part file under `dir`. */
async function committed(dir: string): Promise<KeyCount[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
  const texts = await Promise.all(files.map((f) => readFile(join(dir, f), 'utf8')));
  return texts.flatMap((t) => t.split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as KeyCount));
}

describe('operating a running job through its REST API', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-cli-rest-'));
  });

  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the REST address even with -q; eddy list shows the running job; eddy cancel ends it with exit code 130', async () => {
    const run = await startRun([TICKER, '--rest-port', '0', '-q']);

    const list = await eddy(['list', '--address', run.address]);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    const row = lines(list.stdout).find((l) => l.startsWith(run.jobId));
    expect(row).toBeDefined();
    expect(row).toMatch(/\brunning\b/);
    expect(row).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(row).toMatch(/rest-ticker$/);

    const json = await eddy(['list', '--json', '--address', run.address]);
    expect(json.code).toBe(0);
    const overview = JSON.parse(json.stdout) as { jobs: { jid: string; state: string; name: string }[] };
    expect(overview.jobs).toEqual([expect.objectContaining({ jid: run.jobId, state: 'RUNNING', name: 'rest-ticker' })]);

    const cancel = await eddy(['cancel', run.jobId.slice(0, 8), '--address', run.address]);
    expect(cancel.code).toBe(0);
    expect(cancel.stderr).toContain(run.jobId);

    const outcome = await run.exited;
    expect(outcome.code).toBe(130);
    expect(outcome.stderr).toMatch(/canceled/);
  });

  it('fails before starting the job, with one line, when an explicit --rest-port is in use', async () => {
    const { server, port } = await occupyPort();
    try {
      const run = await eddy(['run', TICKER, '--rest-port', String(port), '-q']);
      expect(run.code).toBe(1);
      expect(lines(run.stderr)).toEqual([`eddy: --rest-port ${port}: the port is in use (pick another one, or 0 for a free port)`]);
    } finally {
      await closeServer(server);
    }
  });

  it('moves the API to a free port, saying so, when the default port is in use', async () => {
    const { server, port } = await occupyPort();
    try {
      const warnings: string[] = [];
      const said: string[] = [];
      const api = await RunRestApi.open(undefined, (m) => warnings.push(m), port, [], (line) => said.push(line));
      expect(api).toBeDefined();
      try {
        const actual = Number(new URL(api!.url).port);
        expect(actual).not.toBe(port);
        expect(said).toEqual([`port ${port} is in use; the REST API listens on port ${actual} instead`]);
        expect(warnings).toEqual([]);
      } finally {
        await api!.close();
      }
    } finally {
      await closeServer(server);
    }
  });

  it('eddy run falls back from a busy default port (EDDY_DEFAULT_REST_PORT) and prints the job id line with the API address', async () => {
    const { server, port } = await occupyPort();
    try {
      const child = spawn(process.execPath, [EDDY, 'run', TICKER, '-q'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, EDDY_DEFAULT_REST_PORT: String(port) },
      });
      started.push(child);
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const line = await new Promise<RegExpExecArray>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (d: string) => {
          stderr += d;
          const m = REST_LINE.exec(stderr);
          if (m) resolve(m);
        });
        void exited.then(() => reject(new Error(`eddy run exited early:\n${stderr}`)));
      });
      const actual = Number(line[3]);
      expect(actual).not.toBe(port);
      expect(lines(stderr)).toEqual([`eddy: port ${port} is in use; the REST API listens on port ${actual} instead`, line[0]]);
      const response = await fetch(`${line[2]}/jobs/${line[1]}`);
      expect(response.status).toBe(200);
      child.kill('SIGINT'); // no checkpointing: Ctrl-C cancels
      expect(await exited).toBe(130);
      expect(stderr).toContain('eddy: Ctrl-C: canceling the job');
    } finally {
      await closeServer(server);
    }
  });

  it('says in one line that the REST API cannot be reached, for every client command', async () => {
    const { server, port } = await occupyPort();
    await closeServer(server); // a port on which nothing listens
    const address = `http://127.0.0.1:${port}`;
    for (const args of [['list'], ['savepoint', 'abcd', dir], ['stop', 'abcd', '--savepoint-path', dir], ['cancel', 'abcd']]) {
      const outcome = await eddy([...args, '--address', address]);
      expect(outcome.code).toBe(1);
      expect(lines(outcome.stderr)).toEqual([
        `eddy: cannot reach the Eddy REST API at ${address} (is a job running? start it with eddy run; use --address)`,
      ]);
      expect(outcome.stdout).toBe('');
    }
  });

  it('refuses an --address that is not an http URL', async () => {
    const outcome = await eddy(['list', '--address', 'localhost:8081']);
    expect(outcome.code).toBe(2);
    expect(lines(outcome.stderr)).toHaveLength(1);
    expect(outcome.stderr).toContain('--address');
  });

  it('takes savepoints of a running job, prints their paths, and says in one line why one cannot be taken', async () => {
    const run = await startRun([TICKER, '--rest-port', '0', '-q']);
    await untilProcessing(run);

    // a relative directory is taken relative to where eddy savepoint runs
    const first = await eddy(['savepoint', run.jobId.slice(0, 6), 'savepoints', '--address', run.address], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const path = first.stdout.trim();
    expect(path.startsWith(join(dir, 'savepoints') + '/')).toBe(true);
    expect((await stat(join(path, '_metadata'))).isFile()).toBe(true);

    // no directory given and none configured: the reason, and the job keeps running
    const none = await eddy(['savepoint', run.jobId, '--address', run.address]);
    expect(none.code).toBe(1);
    expect(lines(none.stderr)).toHaveLength(1);
    expect(none.stderr).toMatch(/savepoint dir/);
    expect(none.stdout).toBe('');

    const list = await eddy(['list', '--json', '--address', run.address]);
    expect(JSON.parse(list.stdout).jobs[0].state).toBe('RUNNING');

    const unknown = await eddy(['savepoint', 'ffffffff', dir, '--address', run.address]);
    expect(unknown.code).toBe(1);
    expect(lines(unknown.stderr)).toEqual(["eddy: no job 'ffffffff' (eddy list shows the jobs)"]);

    const short = await eddy(['cancel', run.jobId.slice(0, 3), '--address', run.address]);
    expect(short.code).toBe(1);
    expect(lines(short.stderr)).toEqual([`eddy: no job '${run.jobId.slice(0, 3)}' (a job id prefix needs at least 4 characters; eddy list shows the jobs)`]);

    await eddy(['cancel', run.jobId, '--address', run.address]);
    expect((await run.exited).code).toBe(130);
  });

  it('keeps savepoints inside the --savepoint-dir roots, refuses /proc at once, and answers only its own host names', async () => {
    const rootA = join(dir, 'roots-a');
    const rootB = join(dir, 'roots-b');
    const run = await startRun([TICKER, '--rest-port', '0', '-q', '--savepoint-dir', rootA, '--savepoint-dir', rootB, '--rest-allowed-host', 'eddy.test']);
    await untilProcessing(run);
    const prefix = run.jobId.slice(0, 5);

    const byDefault = await eddy(['savepoint', prefix, '--address', run.address]);
    expect(byDefault.stderr).toBe('');
    expect(byDefault.stdout.trim().startsWith(rootA + '/')).toBe(true);
    const second = await eddy(['savepoint', prefix, join(rootB, 'nightly'), '--address', run.address]);
    expect(second.code).toBe(0);
    expect(second.stdout.trim().startsWith(join(rootB, 'nightly') + '/')).toBe(true);

    const proc = await eddy(['savepoint', prefix, '/proc/eddy', '--address', run.address]);
    expect(proc.code).toBe(1);
    expect(lines(proc.stderr)).toEqual(["eddy: savepoint directory '/proc/eddy' is under /proc, where no savepoint can be written: give a directory on a real file system"]);
    // relative to where the command runs, which is outside the roots
    const relative = await eddy(['stop', prefix, '--savepoint-path', 'here', '--address', run.address], dir);
    expect(relative.code).toBe(1);
    expect(lines(relative.stderr)).toEqual([
      `eddy: savepoint directory '${join(dir, 'here')}' is outside the savepoint directories of this job (${rootA}, ${rootB}): give a directory inside one of them, or start the job with --savepoint-dir ${join(dir, 'here')}`,
    ]);

    const port = Number(new URL(run.address).port);
    expect(await statusFor(port, 'eddy.test:1234')).toBe(200);
    expect(await statusFor(port, 'attacker.example')).toBe(403);

    await eddy(['cancel', prefix, '--address', run.address]);
    expect((await run.exited).code).toBe(130);
  });

  it('refuses an --rest-allowed-host that is not a host name as a usage error', async () => {
    const outcome = await eddy(['run', TICKER, '--rest-allowed-host', 'http://eddy.test']);
    expect(outcome.code).toBe(2);
    expect(lines(outcome.stderr)).toEqual([
      "eddy: --rest-allowed-host 'http://eddy.test' is not a host name or IP address: give the name only, without scheme or port (e.g. --rest-allowed-host eddy.example.com)",
    ]);
  });

  it('stops a job with a savepoint (exit 0), resumes it from that savepoint and stops it again: every count is committed once, none lost', async () => {
    const out = join(dir, 'stop-resume-out');
    const savepoints = join(dir, 'stop-resume-savepoints');
    const jobArgs = [TICKER, '--rest-port', '0', '-q', '--set', `out=${out}`, '--set', 'rate=2'];

    const first = await startRun([...jobArgs, '--savepoint-dir', savepoints]);
    await untilProcessing(first);
    const stop1 = await eddy(['stop', first.jobId, '--address', first.address]); // into --savepoint-dir
    expect(stop1.stderr).toBe('');
    expect(stop1.code).toBe(0);
    const savepoint1 = stop1.stdout.trim();
    expect(savepoint1.startsWith(savepoints + '/')).toBe(true);
    expect((await first.exited).code).toBe(0);
    const before = await committed(out);
    expect(before.length).toBeGreaterThan(0);

    const second = await startRun([...jobArgs, '--from-savepoint', savepoint1]);
    await untilProcessing(second);
    const other = join(dir, 'stop-resume-explicit');
    const stop2 = await eddy(['stop', second.jobId.slice(0, 4), '--savepoint-path', other, '--drain', '--address', second.address]);
    expect(stop2.code).toBe(0);
    expect(stop2.stdout.trim().startsWith(other + '/')).toBe(true);
    expect((await second.exited).code).toBe(0);

    const all = await committed(out);
    expect(all.length).toBeGreaterThan(before.length);
    const perKey = new Map<number, number[]>();
    for (const r of all) perKey.set(r.key, [...(perKey.get(r.key) ?? []), r.count]);
    for (const [key, counts] of perKey) {
      counts.sort((a, b) => a - b);
      expect({ key, counts }).toEqual({ key, counts: counts.map((_, i) => i + 1) });
    }
  });
});
