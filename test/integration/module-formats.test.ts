/**
 * A job may live in any folder, in any module format, with no package.json and no
 * node_modules: `eddy` is the runtime's own copy for it. Every example and the session
 * window jobs are copied into three folders (no package.json, `"type": "commonjs"`,
 * `"type": "module"`) and must give exactly what they give from the repository, through
 * runJob and through the CLI. A .ts job in a CommonJS folder once loaded a second copy
 * of Eddy, and session windows silently stopped merging (issue 11).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob } from 'eddy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_SESSIONS } from '../jobs/session-gap.js';
import { examplePath, multisetDifference, ROOT, SAME_MULTISET, testJobPath } from './support.js';
import type { Execution } from './support.js';

const EXAMPLES = (await readdir(join(ROOT, 'examples'))).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const JOBS = ['session-gap', 'window-sessions', 'report-parallelism'];
const FORMATS = [
  { folder: 'a folder without package.json', packageJson: undefined },
  { folder: 'a CommonJS package', packageJson: { type: 'commonjs' } },
  { folder: 'an ESM package', packageJson: { type: 'module' } },
] as const;
const MODES: Execution[] = ['threads', 'single-thread'];

/** What a job gives from its place in the repository, run once per job. */
const originals = new Map<string, Promise<unknown[]>>();
function originalOutput(path: string, output: string): Promise<unknown[]> {
  let result = originals.get(path);
  if (!result) {
    result = runJob(path, { parallelism: 2, execution: 'single-thread', parameters: { sink: 'collect' } }).then((r) => r.output(output));
    originals.set(path, result);
  }
  return result;
}

/** Runs `node bin/eddy.js run <job> ...` from `cwd`; never rejects. */
function eddyRun(cwd: string, job: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const argv = [join(ROOT, 'bin/eddy.js'), 'run', job, ...args, '--rest-port', '0', '--quiet'];
    execFile(process.execPath, argv, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The print sink's lines without their `n> ` subtask prefix, sorted. */
function printed(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => line.replace(/^\d+> /, ''))
    .sort();
}

describe.each(FORMATS)('a job in $folder with no node_modules', ({ packageJson }) => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-module-format-'));
    if (packageJson) await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson));
    await cp(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
    await mkdir(join(dir, 'jobs'));
    for (const job of JOBS) await cp(testJobPath(job), join(dir, 'jobs', `${job}.ts`));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has no node_modules and no package.json above it that could provide eddy', () => {
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
    expect(existsSync(join(dir, '..', 'node_modules', 'eddy'))).toBe(false);
  });

  it.each(MODES)("merges the issue's five elements into two session windows in %s mode", async (execution) => {
    const warnings: string[] = [];
    const result = await runJob(join(dir, 'jobs', 'session-gap.ts'), {
      parallelism: 2,
      execution,
      onWarning: (w) => warnings.push(w),
    });
    expect(result.output<string>('sessions').sort()).toEqual(EXPECTED_SESSIONS);
    expect(warnings.filter((w) => /cop(y|ies) of Eddy/.test(w))).toEqual([]);
  });

  it('gives the window-sessions job (late data to an OutputTag side output) its original output', async () => {
    const options = { parallelism: 2, execution: 'single-thread', parameters: { users: '4' } } as const;
    const result = await runJob(join(dir, 'jobs', 'window-sessions.ts'), options);
    const original = await runJob(testJobPath('window-sessions'), options);
    for (const output of ['sessions', 'late']) {
      expect(result.output(output).length).toBeGreaterThan(0);
      expect(multisetDifference(result.output(output), original.output(output))).toEqual(SAME_MULTISET);
    }
  });

  it.each(EXAMPLES)('gives examples/%s.ts its original output', async (name) => {
    const result = await runJob(join(dir, 'examples', `${name}.ts`), { parallelism: 2, execution: 'single-thread', parameters: { sink: 'collect' } });
    const original = await originalOutput(examplePath(name), name);
    expect(original.length).toBeGreaterThan(0);
    expect(multisetDifference(result.output(name), original)).toEqual(SAME_MULTISET);
  });

  it("merges the issue's five elements into two session windows through the CLI, run from the job's folder", async () => {
    const run = await eddyRun(join(dir, 'jobs'), 'session-gap.ts', '--parallelism', '2', '--set', 'sink=print');
    expect(run.stderr).not.toMatch(/warning|error/i);
    expect(run.code).toBe(0);
    expect(printed(run.stdout)).toEqual(EXPECTED_SESSIONS);
  });

  // one format each, to keep the suite fast: the CLI loads jobs as the session-gap runs above do
  it.runIf(packageJson?.type === 'commonjs')('writes examples/session-windows.ts output through the CLI that equals the original', async () => {
    const output = join(dir, 'out-session-windows');
    const run = await eddyRun(dir, join('examples', 'session-windows.ts'), '--parallelism', '2', '--set', `output=${output}`);
    expect(run.stderr).not.toMatch(/warning|error/i);
    expect(run.code).toBe(0);
    const records: unknown[] = [];
    for (const file of await readdir(output)) {
      const text = await readFile(join(output, file), 'utf8');
      for (const line of text.trimEnd().split('\n')) records.push(JSON.parse(line));
    }
    const original = await originalOutput(examplePath('session-windows'), 'session-windows');
    expect(records.length).toBe(original.length);
    expect(multisetDifference(records, original)).toEqual(SAME_MULTISET);
  });

  it.runIf(packageJson === undefined)('tells the job the parallelism of the CLI flag (-p 2) in env.getParallelism()', async () => {
    const run = await eddyRun(dir, join('jobs', 'report-parallelism.ts'), '-p', '2', '--set', 'sink=print');
    expect(run.code).toBe(0);
    expect(printed(run.stdout)).toEqual(['parallelism 2']);
  });
});
