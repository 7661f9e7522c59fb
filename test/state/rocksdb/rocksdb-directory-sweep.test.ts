import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readOwnerFile } from '../../../src/core/process-owner.js';
import { removeAbandonedInstanceDirectories, removeDeadInstanceDirectories } from '../../../src/state/rocksdb/rocksdb-directory-sweep.js';
import { InstanceDirectory, OWNER_FILE_NAME } from '../../../src/state/rocksdb/rocksdb-instance-directory.js';
import { deadPid, writeOwner } from '../../support/process-owners.js';

const JOB_A = 'a'.repeat(32);
const JOB_B = 'b'.repeat(32);

let local: string;

beforeEach(() => {
  local = mkdtempSync(join(tmpdir(), 'eddy-rocksdb-sweep-'));
});

afterEach(() => {
  rmSync(local, { recursive: true, force: true });
});

function instance(job: string, name: string, ownerPid: number | undefined): string {
  const path = join(local, job, name);
  mkdirSync(join(path, 'db-0'), { recursive: true });
  writeFileSync(join(path, 'db-0', 'CURRENT'), 'MANIFEST-000001\n');
  if (ownerPid !== undefined) writeOwner(join(path, OWNER_FILE_NAME), ownerPid);
  return path;
}

describe('RocksDB working directories of crashed runs', () => {
  it('removes the instance directories of dead processes and their emptied job directory, and says whose they were', () => {
    const dead = deadPid();
    const gone = [instance(JOB_A, 'op-count-0-a0', dead), instance(JOB_A, 'op-count-1-a0', dead)];

    const removed = removeDeadInstanceDirectories(local);

    expect(removed.map((r) => r.path).sort()).toEqual(gone.sort());
    expect(removed[0]!.owner).toBe(`process ${dead}`);
    expect(readdirSync(local)).toEqual([]);
  });

  it('keeps the directories of live processes, of this process and without an owner file, and anything not made by Eddy', () => {
    const kept = [
      instance(JOB_A, 'op-count-0-a0', process.ppid),
      instance(JOB_A, 'op-count-1-a0', undefined),
      instance(JOB_B, 'op-count-0-a0', process.pid),
      instance('not-a-job', 'op-count-0-a0', deadPid()),
    ];
    instance(JOB_B, 'op-count-1-a0', deadPid());

    expect(removeDeadInstanceDirectories(local)).toHaveLength(1);
    for (const path of kept) expect(existsSync(path)).toBe(true);
  });

  it('marks a new instance directory with this process, and removes the job directory with the last instance', () => {
    const first = InstanceDirectory.create(local, JOB_A, 'op-count-0-a0');
    const second = InstanceDirectory.create(local, JOB_A, 'op-count-1-a0');
    expect(readOwnerFile(join(first.root, OWNER_FILE_NAME))).toMatchObject({ pid: process.pid });
    first.remove();
    expect(readdirSync(join(local, JOB_A))).toEqual(['op-count-1-a0']);
    second.remove();
    expect(readdirSync(local)).toEqual([]);
  });

  it("refuses to take over an instance directory a live process owns", () => {
    instance(JOB_A, 'op-count-0-a0', process.ppid);
    expect(() => InstanceDirectory.create(local, JOB_A, 'op-count-0-a0')).toThrow(/belongs to process \d+, which is still running/);
  });

  it("removes an attempt's directories this process abandoned, not other attempts' nor other processes'", () => {
    const abandoned = InstanceDirectory.create(local, JOB_A, 'op-count-0-a1');
    const otherAttempt = InstanceDirectory.create(local, JOB_A, 'op-count-0-a2');
    const otherProcess = instance(JOB_A, 'op-count-1-a1', process.ppid);

    expect(removeAbandonedInstanceDirectories(local, JOB_A, 1)).toEqual([abandoned.root]);
    expect(existsSync(otherAttempt.root)).toBe(true);
    expect(existsSync(otherProcess)).toBe(true);
  });
});
