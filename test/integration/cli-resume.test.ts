/**
 * Resuming and stopping `eddy run` as a user does, with real signals to the CLI process:
 * `kill -9` then `--resume`, a resumed run that crashes before its first checkpoint,
 * Ctrl-C (a stop with a savepoint) then `--resume`, a second Ctrl-C, SIGTERM, Ctrl-C
 * after some tasks ended their input, a stop whose savepoint fails. Every resumed run's
 * committed output must equal a failure-free run's exactly: nothing lost, nothing twice.
 * Runs the built CLI (`npm run build` first).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobDetailsResponse } from '../../src/cluster/rest/rest-messages.js';
import { readCommittedJsonl } from './fault-tolerance/support.js';
import type { PrefixCount } from './fault-tolerance/support.js';
import { completedCheckpoints, EddyProcess, firstCheckpoint, jobRecord, killAll, until } from './cli-run-process.js';
import { multisetDifference, SAME_MULTISET, testJobPath } from './support.js';

const JOB = testJobPath('resume-count');
const RECORDS = 20_000;
const JOB_LINE = /^eddy: job ([0-9a-f]{32}) running; REST API at (http:\/\/127\.0\.0\.1:\d+)$/m;

let root: string;
let reference: PrefixCount[];
let referenceWithEarly: PrefixCount[];

/** A fresh directory with `out/` (the sink's) and `ck/` (checkpoints) inside. */
function workDir(): { out: string; ck: string; dir: string } {
  const dir = mkdtempSync(join(root, 'case-'));
  return { dir, out: join(dir, 'out'), ck: join(dir, 'ck') };
}

/** `eddy run` of the job with checkpoints every 100 ms into `ck` and its output into `out`. */
function run(ck: string, out: string, ...more: string[]): EddyProcess {
  return new EddyProcess(['run', JOB, '-q', '-p', '2', '--checkpoint-interval', '100', '--checkpoint-dir', ck, '--set', `out=${out}`, ...more]);
}

/** Waits until the sink has committed output (a checkpoint completed and its files were committed). */
function committedSomething(out: string): Promise<true> {
  return until(() => (existsSync(out) && readdirSync(out).some((n) => /^part-.*\.jsonl$/.test(n)) ? true : undefined), 60_000, () => `nothing committed in ${out}`);
}

/** Starts a throttled run and resolves with its job id and REST address once it has committed some output. */
async function startCommitting(ck: string, out: string, ...more: string[]): Promise<{ p: EddyProcess; jobId: string; address: string }> {
  const p = run(ck, out, '--set', 'rate=1', ...more);
  const [, jobId, address] = await p.line(JOB_LINE);
  await firstCheckpoint(ck, jobId!);
  await committedSomething(out);
  return { p, jobId: jobId!, address: address! };
}

/** Runs `--resume` to the end (as fast as it goes); resolves with its stderr. */
async function resumeToEnd(ck: string, out: string, ...more: string[]): Promise<string> {
  const p = run(ck, out, '--resume', ...more);
  const exit = await p.exited;
  // no broken checkpoint skipped, no foreign source positions (removing a killed run's leftovers is fine)
  expect(exit.stderr).not.toMatch(/warning: (?!removed )/);
  expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  return exit.stderr;
}

function savepointsOf(ck: string, jobId: string): string[] {
  return readdirSync(join(ck, jobId)).filter((n) => n.startsWith('savepoint-') && existsSync(join(ck, jobId, n, '_metadata')));
}

describe('resuming and stopping eddy run', () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'eddy-cli-resume-'));
    // the failure-free runs: no checkpoints, no signals
    for (const early of [0, 2000]) {
      const out = join(root, `reference-${early}`);
      const p = new EddyProcess(['run', JOB, '-q', '-p', '2', '--set', `out=${out}`, '--set', `early=${early}`]);
      expect((await p.exited).code).toBe(0);
      if (early === 0) reference = readCommittedJsonl<PrefixCount>(out);
      else referenceWithEarly = readCommittedJsonl<PrefixCount>(out);
    }
    expect(reference).toHaveLength(RECORDS);
    expect(referenceWithEarly).toHaveLength(RECORDS + 2000);
  }, 120_000);

  afterEach(() => killAll());

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('resumes after kill -9 from the newest checkpoint, committing exactly the failure-free output', { timeout: 120_000 }, async () => {
    const { ck, out } = workDir();
    const first = await startCommitting(ck, out);
    first.p.kill('SIGKILL');
    expect((await first.p.exited).signal).toBe('SIGKILL');
    expect(jobRecord(ck, first.jobId)).toMatchObject({ format: 'eddy-job', version: 1, name: 'resume-count', status: 'running' });

    const stderr = await resumeToEnd(ck, out);
    expect(stderr).toMatch(new RegExp(`^eddy: resuming job 'resume-count' from ${join(ck, first.jobId)}/chk-\\d+ `, 'm'));
    expect(multisetDifference(readCommittedJsonl(out), reference)).toEqual(SAME_MULTISET);
  });

  it('finds the checkpoint in the older run when a resumed run crashed before its first checkpoint', { timeout: 120_000 }, async () => {
    const { ck, out } = workDir();
    const first = await startCommitting(ck, out);
    first.p.kill('SIGKILL');
    await first.p.exited;
    const restored = completedCheckpoints(ck, first.jobId)[0]!;

    // no checkpoint for 10 minutes: it dies before its first one
    const second = run(ck, out, '--resume', '--set', 'rate=1', '--checkpoint-interval', '600000');
    const [, secondId] = await second.line(JOB_LINE);
    expect(second.stderr).toContain(`eddy: resuming job 'resume-count' from ${restored} `);
    second.kill('SIGKILL');
    await second.exited;
    expect(completedCheckpoints(ck, secondId!)).toEqual([]);
    expect(jobRecord(ck, secondId!)).toMatchObject({ status: 'running', restoredFrom: restored });

    const stderr = await resumeToEnd(ck, out);
    expect(stderr).toContain(`eddy: resuming job 'resume-count' from ${restored} (the last run of job 'resume-count' (${secondId}`);
    expect(multisetDifference(readCommittedJsonl(out), reference)).toEqual(SAME_MULTISET);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'stops with a savepoint on %s, exits 0 with the resume command, and --resume commits exactly the failure-free output',
    { timeout: 120_000 },
    async (signal) => {
      const { ck, out } = workDir();
      const first = await startCommitting(ck, out);
      first.p.kill(signal);
      const exit = await first.p.exited;
      expect(exit.code).toBe(0);
      expect(exit.stderr).toContain(`eddy: ${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'}: stopping with a savepoint`);
      expect(exit.stderr).toContain(`eddy: stopped; resume with: eddy run ${JOB} --resume --checkpoint-dir ${ck}\n`);
      const [savepoint] = savepointsOf(ck, first.jobId);
      expect(savepoint).toBeDefined();
      // its checkpoints are gone, the savepoint and the record stay
      expect(completedCheckpoints(ck, first.jobId)).toEqual([]);
      expect(jobRecord(ck, first.jobId)).toMatchObject({ status: 'stopped', savepoint: join(ck, first.jobId, savepoint!) });

      const stderr = await resumeToEnd(ck, out);
      expect(stderr).toContain(`eddy: resuming job 'resume-count' from ${join(ck, first.jobId, savepoint!)} `);
      expect(multisetDifference(readCommittedJsonl(out), reference)).toEqual(SAME_MULTISET);
    },
  );

  it('cancels at once on a second Ctrl-C (exit 130), keeping the latest checkpoint, from which --resume goes on exactly', { timeout: 120_000 }, async () => {
    const { ck, out, dir } = workDir();
    const hold = join(dir, 'hold');
    const first = await startCommitting(ck, out, '--set', `hold=${hold}`);
    // from now on no snapshot completes, so the stop cannot finish before the second Ctrl-C
    writeFileSync(hold, '');
    first.p.kill('SIGINT');
    await first.p.line(/stopping with a savepoint/);
    first.p.kill('SIGINT');
    const exit = await first.p.exited;
    expect(exit.code).toBe(130);
    expect(exit.stderr).toContain('eddy: Ctrl-C again: canceling at once; the latest checkpoint is kept');
    expect(exit.stderr).not.toContain('eddy: stopped');
    expect(completedCheckpoints(ck, first.jobId).length).toBeGreaterThan(0);
    expect(savepointsOf(ck, first.jobId)).toEqual([]);
    const record = jobRecord(ck, first.jobId);
    expect(record).toMatchObject({ status: 'canceled' });
    expect(record['checkpointsDiscarded']).toBeUndefined();

    rmSync(hold);
    const stderr = await resumeToEnd(ck, out);
    expect(stderr).toMatch(new RegExp(`^eddy: resuming job 'resume-count' from ${join(ck, first.jobId)}/chk-\\d+ `, 'm'));
    expect(multisetDifference(readCommittedJsonl(out), reference)).toEqual(SAME_MULTISET);
  });

  it('stops with a savepoint after some tasks ended their input, and --resume commits exactly the failure-free output', { timeout: 120_000 }, async () => {
    const { ck, out } = workDir();
    const first = run(ck, out, '--set', 'rate=1', '--set', 'early=2000');
    const [, jobId, address] = await first.line(JOB_LINE);
    // the early source returns 'end' in the poll that emits its last record
    await untilAsync(async () => {
      const details = (await (await fetch(`${address}/jobs/${jobId}`)).json()) as JobDetailsResponse;
      const early = details.vertices.find((v) => v.name.startsWith('early'));
      return early && early.metrics['write-records'] === 2000 ? true : undefined;
    });
    first.kill('SIGINT');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toContain('eddy: stopped; resume with:');
    expect(savepointsOf(ck, jobId!)).toHaveLength(1);

    await resumeToEnd(ck, out, '--set', 'early=2000');
    expect(multisetDifference(readCommittedJsonl(out), referenceWithEarly)).toEqual(SAME_MULTISET);
  });

  it('keeps the latest checkpoint, says so and exits 1 when the savepoint of the stop fails', { timeout: 120_000 }, async () => {
    const { ck, out, dir } = workDir();
    const failFile = join(dir, 'fail');
    const first = await startCommitting(ck, out, '--set', `failSnapshots=${failFile}`);
    writeFileSync(failFile, '');
    first.p.kill('SIGINT');
    const exit = await first.p.exited;
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`keeping its latest checkpoint in ${join(ck, first.jobId)}`);
    expect(exit.stderr).not.toContain('eddy: stopped');
    expect(completedCheckpoints(ck, first.jobId).length).toBeGreaterThan(0);
    expect(jobRecord(ck, first.jobId)['checkpointsDiscarded']).toBeUndefined();
  });

  it('starts fresh with a line saying so when there is nothing to resume, and after a finished run', { timeout: 120_000 }, async () => {
    const { ck, out } = workDir();
    const fresh = await new EddyProcess(['run', JOB, '-q', '--checkpoint-interval', '100', '--checkpoint-dir', ck, '--set', `out=${out}`, '--set', 'records=200', '--resume']).exited;
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toContain(`eddy: no checkpoint of job 'resume-count' in ${ck}; starting fresh\n`);
    const again = await new EddyProcess(['run', JOB, '-q', '--checkpoint-interval', '100', '--checkpoint-dir', ck, '--set', `out=${out}`, '--set', 'records=200', '--resume']).exited;
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/^eddy: the last run of job 'resume-count' \([0-9a-f]{32}, started [^)]*\) finished; starting fresh$/m);
  });
});

/** Polls an async probe every 20 ms until it gives a value, for at most 60 s. */
async function untilAsync<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
