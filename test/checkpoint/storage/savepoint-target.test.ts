/**
 * Where a savepoint may go: the checks every savepoint target passes (REST, CLI, the
 * JobClient), and the directory creation that never hangs.
 */
import { mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDirectory } from '../../../src/checkpoint/storage/make-directory.js';
import { writeStateFileInto } from '../../../src/checkpoint/storage/savepoint-storage.js';
import { checkSavepointTarget, SavepointTargetError } from '../../../src/checkpoint/storage/savepoint-target.js';
import { CheckpointError, ConfigError } from '../../../src/core/errors.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eddy-savepoint-target-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a savepoint target', () => {
  it('is refused when relative, naming the path and saying to give an absolute one', async () => {
    const error = await checkSavepointTarget('savepoints', []).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SavepointTargetError);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as SavepointTargetError).path).toBe('savepoints');
    expect((error as Error).message).toBe(
      "savepoint directory 'savepoints' is not absolute: give an absolute path (eddy savepoint and eddy stop resolve relative ones where they run)",
    );
  });

  it('is normalised: dot segments and trailing separators go', async () => {
    expect(await checkSavepointTarget(`${dir}/a/../b/./c/`, [])).toBe(join(dir, 'b', 'c'));
  });

  it.each(['/proc', '/proc/self/savepoints', '/sys/kernel/x', '/dev/shm/savepoints', '/tmp/../proc/x'])(
    'is refused under the pseudo file systems: %s',
    async (target) => {
      const error = await checkSavepointTarget(target, []).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SavepointTargetError);
      expect((error as Error).message).toMatch(new RegExp(`^savepoint directory '${target.replace(/[.]/g, '\\.')}' is under /(proc|sys|dev), where no savepoint can be written: give a directory on a real file system$`));
    },
  );

  it('is refused when a symbolic link on its way leads under /proc', async () => {
    const link = join(dir, 'to-proc');
    await symlink('/proc', link);
    await expect(checkSavepointTarget(join(link, 'savepoints'), [])).rejects.toThrow(/is under \/proc/);
  });

  it('must lie inside one of the configured roots when there are any', async () => {
    const rootA = join(dir, 'root-a');
    const rootB = join(dir, 'root-b');
    expect(await checkSavepointTarget(rootA, [rootA, rootB])).toBe(rootA);
    expect(await checkSavepointTarget(join(rootB, 'nightly'), [rootA, rootB])).toBe(join(rootB, 'nightly'));
    const outside = await checkSavepointTarget('/etc', [rootA, rootB]).catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(SavepointTargetError);
    expect((outside as Error).message).toBe(
      `savepoint directory '/etc' is outside the savepoint directories of this job (${rootA}, ${rootB}): give a directory inside one of them, or start the job with --savepoint-dir /etc`,
    );
    // a sibling whose name starts with the root's is not inside it
    await expect(checkSavepointTarget(`${rootA}-other`, [rootA])).rejects.toThrow(/outside the savepoint directories/);
    await expect(checkSavepointTarget(join(rootA, '..', 'elsewhere'), [rootA])).rejects.toThrow(/outside the savepoint directories/);
  });

  it('cannot leave its root through a symbolic link', async () => {
    const root = join(dir, 'root-link');
    await mkdir(root);
    await symlink(tmpdir(), join(root, 'escape'));
    await expect(checkSavepointTarget(join(root, 'escape', 'x'), [root])).rejects.toThrow(/outside the savepoint directories/);
  });
});

describe('creating a savepoint directory', () => {
  it('creates the missing levels', async () => {
    const target = join(dir, 'made', 'one', 'two');
    await makeDirectory(target, 'savepoint 1');
    expect((await stat(target)).isDirectory()).toBe(true);
    await makeDirectory(target, 'savepoint 1'); // already there: fine
  });

  it('fails at once under /proc instead of looping like a recursive mkdir', async () => {
    const error = await writeStateFileInto('/proc/eddy-savepoint-test/savepoint-x', 'op-0', new Uint8Array([1]), 'savepoint 3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toMatch(/^savepoint 3: cannot create directory '\/proc\/eddy-savepoint-test\/savepoint-x': ENOENT/);
  });

  it('gives up after its timeout when the file system does not answer, naming the directory', async () => {
    const target = join(dir, 'hanging', 'savepoint-y');
    let calls = 0;
    const never = () => {
      calls++;
      return new Promise<never>(() => {});
    };
    const error = await makeDirectory(target, 'savepoint 4', { timeoutMs: 50, mkdirOne: never }).catch((e: unknown) => e);
    expect(calls).toBe(1); // the hang was reached
    expect(error).toBeInstanceOf(CheckpointError);
    expect((error as Error).message).toBe(
      `savepoint 4: creating directory '${target}' did not finish within 50 ms; check that its file system is mounted and writable, or give another directory`,
    );
  });

  it('says so when the path or a part of it is a file', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    await expect(makeDirectory(file, 'savepoint 5')).rejects.toThrow(`savepoint 5: cannot create directory '${file}': '${file}' is not a directory`);
    await expect(makeDirectory(join(file, 'x'), 'savepoint 5')).rejects.toThrow(`savepoint 5: cannot create directory '${join(file, 'x')}': ENOTDIR`);
  });
});
