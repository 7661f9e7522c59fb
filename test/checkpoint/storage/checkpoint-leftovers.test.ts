import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOB_OWNER_FILE_NAME, markJobCheckpointDirectory, removeCheckpointLeftovers } from '../../../src/checkpoint/storage/checkpoint-leftovers.js';
import { readOwnerFile } from '../../../src/core/process-owner.js';
import { deadPid, writeOwner } from '../../support/process-owners.js';

const DEAD_JOB = 'd'.repeat(32);
const LIVE_JOB = 'a'.repeat(32);
const EMPTY_DEAD_JOB = 'e'.repeat(32);
const UNMARKED_JOB = 'f'.repeat(32);
const CURRENT_JOB = 'c'.repeat(32);

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(join(tmpdir(), 'eddy-checkpoint-leftovers-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

function file(...path: string[]): void {
  mkdirSync(join(directory, ...path.slice(0, -1)), { recursive: true });
  writeFileSync(join(directory, ...path), 'x');
}

function tree(...path: string[]): string[] {
  const root = join(directory, ...path);
  return existsSync(root) ? readdirSync(root, { recursive: true, encoding: 'utf8' }).sort() : [];
}

describe('checkpoint leftovers of crashed runs', () => {
  it("removes a dead run's in-progress checkpoints and temporary files, and keeps its completed checkpoints and shared files", async () => {
    file(DEAD_JOB, 'chk-3', '_metadata');
    file(DEAD_JOB, 'chk-3', 'op-a-0-keyed.bin');
    file(DEAD_JOB, 'chk-3', '.op-b-0-keyed.bin.0123456789ab.tmp');
    file(DEAD_JOB, 'chk-4', 'op-a-0-keyed.bin'); // a checkpoint the crash interrupted
    file(DEAD_JOB, 'shared', 'sst-1.sst');
    file(DEAD_JOB, 'shared', '.sst-2.sst.abcdef012345.tmp');
    file(DEAD_JOB, 'savepoint-x', 'op-a-0-keyed.bin'); // savepoints are never touched
    writeOwner(join(directory, DEAD_JOB, JOB_OWNER_FILE_NAME), deadPid());

    const removed = await removeCheckpointLeftovers(directory, CURRENT_JOB);

    expect(removed).toHaveLength(3);
    expect(removed.join('\n')).toMatch(/in-progress checkpoint '.*chk-4' of process \d+ \(no longer running\)/);
    expect(tree(DEAD_JOB)).toEqual(
      [JOB_OWNER_FILE_NAME, 'chk-3', 'chk-3/_metadata', 'chk-3/op-a-0-keyed.bin', 'savepoint-x', 'savepoint-x/op-a-0-keyed.bin', 'shared', 'shared/sst-1.sst'].sort(),
    );
  });

  it('never touches the job directories of live runs, of this run, or without an owner file', async () => {
    for (const job of [LIVE_JOB, UNMARKED_JOB, CURRENT_JOB]) {
      file(job, 'chk-1', 'op-a-0-keyed.bin');
      file(job, '.x.0123456789ab.tmp');
    }
    writeOwner(join(directory, LIVE_JOB, JOB_OWNER_FILE_NAME), process.ppid);
    writeOwner(join(directory, CURRENT_JOB, JOB_OWNER_FILE_NAME), deadPid());
    const before = tree();

    expect(await removeCheckpointLeftovers(directory, CURRENT_JOB)).toEqual([]);
    expect(tree()).toEqual(before);
  });

  it('removes the job directory of a dead run that completed no checkpoint', async () => {
    file(EMPTY_DEAD_JOB, 'chk-1', 'op-a-0-keyed.bin');
    file(EMPTY_DEAD_JOB, 'shared', '.sst-2.sst.abcdef012345.tmp');
    file(EMPTY_DEAD_JOB, '_job.json');
    writeOwner(join(directory, EMPTY_DEAD_JOB, JOB_OWNER_FILE_NAME), deadPid());

    await removeCheckpointLeftovers(directory, CURRENT_JOB);

    expect(readdirSync(directory)).toEqual([]);
  });

  it('marks the job directory of this run with this process', async () => {
    await markJobCheckpointDirectory(directory, CURRENT_JOB);
    expect(readOwnerFile(join(directory, CURRENT_JOB, JOB_OWNER_FILE_NAME))).toMatchObject({ pid: process.pid });
  });
});
