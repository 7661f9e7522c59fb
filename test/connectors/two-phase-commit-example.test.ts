// The worked example of docs/SINKS.md, kept here so that it compiles and works. Keep both in sync.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Committer, CommitterContext, CommittingSinkWriter, SinkWriterContext, TwoPhaseCommittingSink } from '../../src/index.js';

// ---- from docs/SINKS.md ----------------------------------------------------------------

/** One checkpoint's records of one subtask, and the file they go to. Plain data. */
interface Batch {
  readonly file: string; // unique per (job, attempt, subtask, checkpoint)
  readonly lines: readonly string[];
}

/** Writes the records of each checkpoint, per subtask, into one file `batch-….json`. */
class BatchFileSink<T> implements TwoPhaseCommittingSink<T, Batch> {
  readonly name = 'BatchFiles';

  constructor(private readonly directory: string) {}

  createWriter(ctx: SinkWriterContext): CommittingSinkWriter<T, Batch> {
    let lines: string[] = [];
    return {
      write(record) {
        lines.push(JSON.stringify(record));
      },
      prepareCommit(checkpointId) {
        if (lines.length === 0) return []; // nothing new: no committable
        const batch = { file: `batch-${ctx.jobId}-${ctx.attemptNumber}-${ctx.subtaskIndex}-${checkpointId}.json`, lines };
        lines = []; // records written from now on belong to the next checkpoint
        return [batch]; // stored in the checkpoint, so it is durable once the checkpoint is
      },
    };
  }

  createCommitter(_ctx: CommitterContext): Committer<Batch> {
    const directory = this.directory;
    return {
      commit(batches) {
        mkdirSync(directory, { recursive: true });
        for (const { file, lines } of batches) {
          const target = join(directory, file);
          if (existsSync(target)) continue; // committed before: commit must be idempotent
          const temp = join(directory, `.${file}.tmp`);
          const fd = openSync(temp, 'w');
          writeSync(fd, lines.map((line) => line + '\n').join(''));
          fsyncSync(fd);
          closeSync(fd);
          renameSync(temp, target); // atomic: readers see all of the batch or nothing
        }
      },
      cleanup() {
        // only a commit that crashed half-way leaves something behind: its temp file
        if (!existsSync(directory)) return;
        for (const name of readdirSync(directory)) if (/^\.batch-.*\.tmp$/.test(name)) unlinkSync(join(directory, name));
      },
    };
  }
}

// ---- end of the example ----------------------------------------------------------------

const ctx = (subtask: number, attempt: number) => ({
  jobId: 'job1',
  attemptNumber: attempt,
  subtaskIndex: subtask,
  parallelism: 2,
  emitToCoordinator: () => {},
});

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-2pc-example-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function lines(): number[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').trimEnd().split('\n').map(Number))
    .sort((a, b) => a - b);
}

describe('the two-phase-commit example of docs/SINKS.md', () => {
  it('shows exactly the records of the restored checkpoint after a failure, and each once', async () => {
    const sink = new BatchFileSink<number>(dir);
    const writers = [sink.createWriter(ctx(0, 0)), sink.createWriter(ctx(1, 0))];
    writers[0]!.write(1);
    writers[1]!.write(2);
    const checkpoint1 = [...(await writers[0]!.prepareCommit(1)), ...(await writers[1]!.prepareCommit(1))];
    await sink.createCommitter(ctx(0, 0)).commit(checkpoint1.slice(0, 1)); // subtask 0 committed, then the job failed
    writers[0]!.write(3);
    await writers[0]!.prepareCommit(2); // checkpoint 2 never completes
    expect(lines()).toEqual([1]);

    const committer = sink.createCommitter(ctx(0, 1));
    await committer.commit(checkpoint1);
    await committer.cleanup?.(checkpoint1);
    expect(lines()).toEqual([1, 2]);
    await committer.commit(checkpoint1);
    expect(lines()).toEqual([1, 2]);
  });
});
