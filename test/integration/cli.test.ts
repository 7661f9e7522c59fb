import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPEAT, SAMPLE } from '../../examples/word-count.js';
import type { WordCount } from '../../examples/word-count.js';
import { ROOT } from './support.js';

type CliOutcome = { code: number; stdout: string; stderr: string };

/** Runs `node bin/eddy.js ...args` from the project root; never rejects, gives up after 60 s. */
function eddy(...args: string[]): Promise<CliOutcome> {
  return new Promise((resolve) => {
    // a free REST port for every run: tests run side by side, and 8081 may be taken
    const argv = args[0] === 'run' ? [...args, '--rest-port', '0'] : args;
    execFile(process.execPath, ['bin/eddy.js', ...argv], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The lines of stderr, without a trailing empty one. */
function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => line.length > 0 || i < all.length - 1);
}

describe('the eddy command', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-cli-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the word-count example at parallelism 2 and leaves only committed part files with the right counts', async () => {
    const output = join(dir, 'word-count');
    const run = await eddy('run', 'examples/word-count.ts', '--parallelism', '2', '--set', `output=${output}`);
    expect(run.stderr).not.toMatch(/error|failed/i);
    expect(run.code).toBe(0);

    const files = await readdir(output);
    // one committed file per sink instance, and nothing in progress (in-progress files start with '.')
    expect(files.length).toBe(2);
    for (const file of files) expect(file).toMatch(/^part-[^/]*\.jsonl$/);

    const records: WordCount[] = [];
    for (const file of files) {
      const text = await readFile(join(output, file), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      for (const line of text.trimEnd().split('\n')) records.push(JSON.parse(line) as WordCount);
    }
    const totals = new Map<string, number>();
    for (const line of SAMPLE) for (const word of line.split(' ')) totals.set(word, (totals.get(word) ?? 0) + REPEAT);
    const finals = new Map<string, number>();
    for (const r of records) finals.set(r.word, Math.max(finals.get(r.word) ?? 0, r.count));
    expect(finals).toEqual(totals);
    expect(records.length).toBe([...totals.values()].reduce((a, b) => a + b, 0));
  });

  it('exits non-zero with one line on stderr for a job file that does not exist', async () => {
    const missing = join(dir, 'no-such-job.ts');
    const run = await eddy('run', missing);
    expect(run.code).not.toBe(0);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain('no-such-job.ts');
    expect(run.stderr).toMatch(/does not exist/);
  });

  it('exits non-zero with one line on stderr for a parallelism that is not a number', async () => {
    const run = await eddy('run', 'examples/word-count.ts', '--parallelism', 'abc', '--set', `output=${join(dir, 'never')}`);
    expect(run.code).not.toBe(0);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain('--parallelism');
    expect(run.stderr).toContain('abc');
  });

  it('exits non-zero with one line on stderr naming the operator when a user function throws', async () => {
    const run = await eddy('run', 'test/jobs/failing-map.ts', '--parallelism', '4', '--set', 'failAt=600');
    expect(run.code).not.toBe(0);
    // the job started (its REST address was printed), the failure was logged once with its
    // stack, and the run ended with one plain line
    const all = lines(run.stderr);
    const [started] = all;
    expect(started).toMatch(/^eddy: job [0-9a-f]+ running; REST API at http:\/\/127\.0\.0\.1:\d+$/);
    expect(all.filter((l) => l.startsWith('eddy: '))).toHaveLength(2);
    expect(all.at(-1)).toMatch(
      /^eddy: job failed: operator 'failing-map' \(subtask 3\/4\) failed: RangeError: injected failure at record 600 \(at .*test\/jobs\/failing-map\.ts:\d+:\d+\)$/,
    );
    expect(all.filter((l) => / ERROR: operator 'failing-map' \(subtask 3\/4\) failed: .*; the job will not restart$/.test(l))).toHaveLength(1);
    expect(run.stderr).toContain('operator: "failing-map"');
  });

  describe.each([
    ['an ES module package', { name: 'user-project', type: 'module' }],
    ['a package without a type field', { name: 'user-project' }],
  ])('a job file in %s', (_where, packageJson) => {
    let project: string;

    /** A user's project directory with this package.json and eddy installed. */
    beforeAll(async () => {
      project = await mkdtemp(join(dir, 'project-'));
      await writeFile(join(project, 'package.json'), JSON.stringify(packageJson));
      await mkdir(join(project, 'node_modules'));
      await symlink(ROOT, join(project, 'node_modules', 'eddy'), 'dir');
      await writeFile(
        join(project, 'doubles.ts'),
        "import { defineJob, Sinks } from 'eddy';\n" +
          'export default defineJob((env) => {\n' +
          "  env.fromSequence(1, 100).map((n: number) => n * 2).sinkTo(Sinks.jsonl(env.getParameter('output', 'out')));\n" +
          '});\n',
      );
      await writeFile(
        join(project, 'broken-syntax.ts'),
        "import { defineJob } from 'eddy';\n" +
          'export default defineJob((env) => {\n' +
          '  env.fromSequence(1, 10).map((n) => n * );\n' +
          '});\n',
      );
    });

    it('runs when it is TypeScript written as an ES module', async () => {
      const output = join(project, 'out');
      const run = await eddy('run', join(project, 'doubles.ts'), '--set', `output=${output}`);
      expect(run.stderr).not.toMatch(/could not be loaded/);
      expect(run.code).toBe(0);
      const files = await readdir(output);
      const values = (await Promise.all(files.map((f) => readFile(join(output, f), 'utf8'))))
        .flatMap((text) => text.trimEnd().split('\n'))
        .map(Number);
      expect(values.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => 2 * (i + 1)));
    });

    it('exits non-zero with one line on stderr when it has a syntax error', async () => {
      const run = await eddy('run', join(project, 'broken-syntax.ts'));
      expect(run.code).not.toBe(0);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toContain('broken-syntax.ts');
    });

    it('says where the syntax error is', async () => {
      const run = await eddy('run', join(project, 'broken-syntax.ts'));
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(/broken-syntax\.ts:3:\d+/);
      expect(run.stderr).toMatch(/Unexpected/);
    });
  });
});
