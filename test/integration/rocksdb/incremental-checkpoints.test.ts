/**
 * Incremental checkpoints of the RocksDB backend in a running job (DESIGN §4.3): over 110
 * checkpoints (40 in `npm test`), with the shared files of each checkpoint referring to those of the
 * ones before, the checkpoint directory holds exactly the files that the retained
 * checkpoints reference — every subsumed or aborted checkpoint's own files are gone, and
 * no shared file is deleted while a retained checkpoint uses it.
 */
import { resolve, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startJob } from 'eddy';
import type { JobClient } from 'eddy';
import { readCheckpointMetadata } from '../../../src/checkpoint/storage/checkpoint-reader.js';
import { FULL_MATRIX, STATE_BACKENDS } from '../../support/state-backends.js';
import { CHAOS_COUNT, listDir, listFilesDeep, TempDirs } from '../fault-tolerance/support.js';

const RETAINED = 2;
/** Checkpoints taken: 110 with the full matrix, 40 in `npm test` (RocksDB compacts many times in either). */
const CHECKPOINTS = FULL_MATRIX ? 110 : 40;

const dirs = new TempDirs('rocksdb-incremental');
afterAll(() => dirs.removeAll());

/** Every file (relative to the job directory) the completed checkpoints in `jobDir` reference, and how many shared ones. */
async function referencedFiles(jobDir: string): Promise<{ files: Set<string>; shared: number; reused: number }> {
  const files = new Set<string>();
  let shared = 0;
  let reused = 0;
  const seen = new Set<string>();
  for (const chk of listDir(jobDir).filter((name) => /^chk-\d+$/.test(name))) {
    const directory = join(jobDir, chk);
    const metadata = await readCheckpointMetadata(directory);
    files.add(`${chk}/_metadata`);
    for (const operator of metadata.operators) {
      for (const subtask of operator.subtasks) {
        const keyed = subtask.keyed;
        if (keyed?.type === 'incremental') {
          for (const f of keyed.sharedFiles) {
            const relative = resolve(directory, f.file).slice(jobDir.length + 1);
            if (seen.has(relative)) reused++;
            seen.add(relative);
            files.add(relative);
            shared++;
          }
          for (const f of keyed.privateFiles) files.add(resolve(directory, f.file).slice(jobDir.length + 1));
        } else if (keyed !== undefined) {
          files.add(`${chk}/${keyed.file}`);
        }
        if (subtask.operatorState !== undefined) files.add(`${chk}/${subtask.operatorState.file}`);
      }
    }
  }
  return { files, shared, reused };
}

describe.runIf(STATE_BACKENDS.includes('rocksdb'))('rocksdb incremental checkpoints in a job', () => {
  it(`leaves only files the retained checkpoints reference, over ${CHECKPOINTS} checkpoints`, { timeout: 120_000 }, async () => {
    const directory = dirs.make();
    let completed = 0;
    let client: JobClient | undefined;
    client = await startJob(CHAOS_COUNT, {
      parallelism: 2,
      execution: 'threads',
      stateBackend: 'rocksdb',
      // endless and throttled: the cancel ends it
      parameters: { records: String(1e12), rate: '50', prefixes: '5000' },
      checkpoint: { interval: 10, retained: RETAINED, retentionOnCancel: 'retain', directory },
      onCheckpoint: (stats) => {
        if (stats.status === 'completed' && ++completed === CHECKPOINTS) void client!.cancel();
      },
    });
    const result = await client.result;
    expect(result.status).toBe('canceled');
    expect(completed).toBeGreaterThanOrEqual(CHECKPOINTS);

    const jobDir = join(directory, result.jobId);
    const kept = result.checkpoints.filter((c) => c.status === 'completed').slice(-RETAINED);
    // besides checkpoints: shared files, the run's record (_job.json) and its owner marker
    const runFiles = new Set(['shared', '_job.json', '.eddy-owner.json']);
    expect(listDir(jobDir).filter((name) => !runFiles.has(name))).toEqual(kept.map((c) => `chk-${c.checkpointId}`).sort());
    const { files, shared, reused } = await referencedFiles(jobDir);
    expect(shared).toBeGreaterThan(0);
    // the two retained checkpoints share files: the later one referred to the earlier one's
    expect(reused).toBeGreaterThan(0);
    expect(new Set(listFilesDeep(jobDir).filter((file) => !runFiles.has(file)))).toEqual(files);
  });
});
