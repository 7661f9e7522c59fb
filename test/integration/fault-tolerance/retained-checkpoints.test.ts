/**
 * Retained checkpoints stay bounded however many checkpoints a job takes: completed ones
 * beyond `retained` are deleted as newer ones complete, aborted and in-flight ones go,
 * a canceled job with retention `retain` leaves exactly its retained checkpoints, and a
 * finished job leaves nothing. The rocksdb runs take full checkpoints: the files they
 * check are those of the canonical format.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob, startJob } from 'eddy';
import type { JobClient } from 'eddy';
import { JOB_OWNER_FILE_NAME } from '../../../src/checkpoint/storage/checkpoint-leftovers.js';
import { CHAOS_COUNT, listDir, listFilesDeep, TempDirs } from './support.js';
import { STATE_BACKENDS, stateBackendOption } from '../../support/state-backends.js';

const RETAINED = 2;
const MAX_CONCURRENT = 1;
const CHECKPOINTS = 32;

const dirs = new TempDirs('retained-checkpoints');
afterAll(() => dirs.removeAll());

/** What the job directory held when a checkpoint completed. */
interface Sample {
  readonly afterCheckpoint: number;
  /** `chk-<n>` directories. */
  readonly chkDirs: readonly string[];
  /** Those of them that hold `_metadata` (completed checkpoints). */
  readonly completedDirs: readonly string[];
}

function sample(jobDir: string, afterCheckpoint: number): Sample {
  const chkDirs = listDir(jobDir).filter((name) => /^chk-\d+$/.test(name));
  const completedDirs = chkDirs.filter((name) => existsSync(join(jobDir, name, '_metadata')));
  return { afterCheckpoint, chkDirs, completedDirs };
}

describe.each(STATE_BACKENDS)('[%s] retained checkpoints', (backend) => {
  const stateBackend = stateBackendOption(backend, { fullCheckpoints: true });

  it(
    `keeps at most ${RETAINED} completed checkpoints over ${CHECKPOINTS} checkpoints and leaves exactly them after a cancel with retention`,
    { timeout: 60_000 },
    async () => {
      const directory = dirs.make();
      const samples: Sample[] = [];
      let completed = 0;
      let client: JobClient | undefined;
      client = await startJob(CHAOS_COUNT, {
        parallelism: 2,
        execution: 'threads',
        stateBackend,
        // the sources hold after 1,000 records each until the cancel ends the job
        parameters: { records: '100000', holdAt: '1000', holdDir: dirs.make(), holdCheckpoints: String(Number.MAX_SAFE_INTEGER) },
        checkpoint: { interval: 10, retained: RETAINED, maxConcurrent: MAX_CONCURRENT, retentionOnCancel: 'retain', directory },
        onCheckpoint: (stats) => {
          if (stats.status !== 'completed') return;
          // checkpoints complete only after startJob has returned the client
          samples.push(sample(join(directory, client!.jobId), stats.checkpointId));
          if (++completed === CHECKPOINTS) void client!.cancel();
        },
      });
      const result = await client.result;
      const jobDir = join(directory, result.jobId);
      expect(result.status).toBe('canceled');
      expect(samples).toHaveLength(CHECKPOINTS);

      const tooMany = samples.filter((s) => s.completedDirs.length > RETAINED || s.chkDirs.length > RETAINED + MAX_CONCURRENT + 1);
      expect(tooMany).toEqual([]);
      // the checkpoint that just completed is always among those on disk
      for (const s of samples) expect(s.completedDirs).toContain(`chk-${s.afterCheckpoint}`);

      const kept = result.checkpoints.filter((c) => c.status === 'completed').slice(-RETAINED);
      expect(listDir(directory)).toEqual([result.jobId]);
      // the retained checkpoints, the run's record and its owner file (checkpoint-leftovers.ts)
      expect(listDir(jobDir)).toEqual(['_job.json', JOB_OWNER_FILE_NAME, ...kept.map((c) => `chk-${c.checkpointId}`)].sort());
      for (const c of kept) {
        expect(c.directory).toBe(join(jobDir, `chk-${c.checkpointId}`));
        expect(listDir(c.directory!)).toContain('_metadata');
      }
      // nothing but the run's record, its owner file and the retained checkpoints' own files: no temporary or stray state files
      const files = listFilesDeep(jobDir);
      expect(files.filter((f) => !/^chk-\d+\/(_metadata|op-[^/]+\.bin)$/.test(f) && f !== JOB_OWNER_FILE_NAME && f !== '_job.json')).toEqual([]);
    },
  );

  it("deletes the job's checkpoints when it finishes, keeping only its record (_job.json says it finished)", { timeout: 60_000 }, async () => {
    const directory = dirs.make();
    let completed = 0;
    const result = await runJob(CHAOS_COUNT, {
      parallelism: 2,
      execution: 'threads',
      stateBackend,
      // the sources hold until more checkpoints than are retained have completed, then finish
      parameters: { records: '20000', holdAt: '1000', holdDir: dirs.make(), holdCheckpoints: String(RETAINED + 1) },
      checkpoint: { interval: 10, retained: RETAINED, directory },
      onCheckpoint: (stats) => {
        if (stats.status === 'completed') completed++;
      },
    });
    expect(result.status).toBe('finished');
    expect(completed).toBeGreaterThan(RETAINED);
    expect(listDir(directory)).toEqual([result.jobId]);
    expect(listDir(join(directory, result.jobId))).toEqual(['_job.json']);
    expect(JSON.parse(readFileSync(join(directory, result.jobId, '_job.json'), 'utf8'))).toMatchObject({
      name: 'chaos-count',
      status: 'finished',
      checkpointsDiscarded: true,
    });
  });
});
