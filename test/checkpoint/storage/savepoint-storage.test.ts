/** Savepoint directories: their names, and which ones a failed savepoint's clean-up may remove. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discardFailedSavepoint, newSavepointDirectory } from '../../../src/checkpoint/storage/savepoint-storage.js';

const root = mkdtempSync(join(tmpdir(), 'eddy-savepoint-storage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function directory(withMetadata: boolean): string {
  const dir = newSavepointDirectory(root, 'a1b2c3d4e5f6');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'op-x-0-keyed.bin'), 'state');
  if (withMetadata) writeFileSync(join(dir, '_metadata'), '{}');
  return dir;
}

describe('savepoint directories', () => {
  it('are named savepoint-<first 6 of the job id>-<12 random hex digits>, each new', () => {
    const a = newSavepointDirectory(root, 'a1b2c3d4e5f6');
    expect(basename(a)).toMatch(/^savepoint-a1b2c3-[0-9a-f]{12}$/);
    expect(newSavepointDirectory(root, 'a1b2c3d4e5f6')).not.toBe(a);
  });

  it('of a failed savepoint are removed, a completed one is kept unless it was reported failed', async () => {
    const failed = directory(false);
    const completed = directory(true);
    const abortedWhileCompleting = directory(true);
    await discardFailedSavepoint(failed);
    await discardFailedSavepoint(completed);
    await discardFailedSavepoint(abortedWhileCompleting, true);
    expect([existsSync(failed), existsSync(completed), existsSync(abortedWhileCompleting)]).toEqual([false, true, false]);
  });

  it('are the only directories the clean-up touches', async () => {
    const other = join(root, 'my-data');
    mkdirSync(other);
    await discardFailedSavepoint(other, true);
    expect(existsSync(other)).toBe(true);
  });
});
