/**
 * `eddy run` and the state backend flags, as a user runs the command: bad values and
 * rocksdb settings without the rocksdb backend are usage errors (exit code 2, one line);
 * a missing librocksdb fails the run at start-up with how to install it, before the job
 * starts; and the chosen backend runs a job.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support.js';

type CliOutcome = { code: number; stdout: string; stderr: string };

/** Runs `node [nodeArgs] bin/eddy.js run ...args` from the project root; never rejects. */
function eddyRun(args: readonly string[], options: { nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv } = {}): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const argv = [...(options.nodeArgs ?? []), 'bin/eddy.js', 'run', ...args, '--rest-port', '0'];
    execFile(process.execPath, argv, { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The lines of `text`, without a trailing empty one. */
function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => line.length > 0 || i < all.length - 1);
}

describe('eddy run --state-backend', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-cli-backend-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each<[string, string[], RegExp]>([
    ['an unknown backend', ['--state-backend', 'heap'], /^eddy: --state-backend must be one of hashmap, rocksdb, got 'heap'$/],
    ['a memory budget that is no number', ['--state-backend', 'rocksdb', '--rocksdb-memory', 'lots'], /^eddy: --rocksdb-memory must be a positive whole number of MB, got 'lots'$/],
    ['a rocksdb setting without the rocksdb backend', ['--rocksdb-memory', '64'], /^eddy: --rocksdb-memory applies only to the rocksdb state backend, .*add --state-backend rocksdb$/],
    ['rocksdb settings with the hashmap backend', ['--state-backend', 'hashmap', '--rocksdb-dir', '/tmp/r', '--no-incremental-checkpoints'], /^eddy: --rocksdb-dir, --no-incremental-checkpoints apply only to the rocksdb state backend, not to --state-backend hashmap$/],
  ])('rejects %s with exit code 2 and one line naming the option', async (_what, flags, message) => {
    const run = await eddyRun(['examples/word-count.ts', ...flags]);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr.trimEnd()).toMatch(message);
  });

  it('fails at start-up, before the job runs, with how to install librocksdb when it cannot be loaded', async () => {
    const missing = '/nonexistent/librocksdb.so';
    const run = await eddyRun(['examples/word-count.ts', '--state-backend', 'rocksdb', '--set', `output=${join(dir, 'never')}`], {
      // an explicit library that fails is not replaced by another one: a machine without librocksdb
      env: { EDDY_ROCKSDB_LIBRARY: missing },
    });
    expect(run.code).toBe(1);
    // one line, and no "job … running" line before it: the job never started
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/^eddy: the rocksdb state backend needs librocksdb/);
    expect(run.stderr).toContain("sudo apt-get install librocksdb-dev");
    expect(run.stderr).toContain('brew install rocksdb');
    // only the library named by EDDY_ROCKSDB_LIBRARY was tried
    expect(run.stderr).toMatch(/Tried: \/nonexistent\/librocksdb\.so \([^;]*$/);
    await expect(readdir(join(dir, 'never'))).rejects.toThrow(/ENOENT/);
  });

  it('runs a job on worker threads with --state-backend hashmap', async () => {
    const output = join(dir, 'word-count');
    const run = await eddyRun(['examples/word-count.ts', '--parallelism', '2', '--state-backend', 'hashmap', '--set', `output=${output}`]);
    expect(run.stderr).not.toMatch(/error|failed/i);
    expect(run.code).toBe(0);
    expect((await readdir(output)).filter((f) => f.endsWith('.jsonl'))).toHaveLength(2);
  });

  it('lists the state backend flags in its help', async () => {
    const run = await eddyRun(['--help']);
    for (const flag of ['--state-backend <name>', '--rocksdb-dir <dir>', '--no-incremental-checkpoints', '--rocksdb-memory <MB>']) {
      expect(run.stdout).toContain(flag);
    }
  });
});
