import { describe, expect, it } from 'vitest';
import { StorageError } from '../../src/core/errors.js';
import { storageAdvice, toStorageError } from '../../src/core/storage-error-advice.js';

const fsError = (code: string) => Object.assign(new Error(`${code}: something, write '/x'`), { code });

describe('storage errors', () => {
  it.each([
    ['ENOSPC', 'the disk is full: free some space on it, or choose a directory on another disk'],
    ['EACCES', 'permission denied: give the user running Eddy write access to it, or choose another directory'],
    ['EROFS', 'the file system is read-only: choose a directory on a writable file system'],
    ['EDQUOT', 'the disk quota is used up: free some space or raise the quota, or choose a directory on another disk'],
  ])('turns %s into a StorageError naming the path and what to do', (code, advice) => {
    const cause = fsError(code);
    const error = toStorageError(cause, '/data/out/part-0', 'write sink \'out\' to', "the sink's directory") as StorageError;
    expect(error).toBeInstanceOf(StorageError);
    expect(error.message).toBe(`cannot write sink 'out' to '/data/out/part-0' (${code}); ${advice} (the sink's directory)`);
    expect([error.path, error.code, error.cause]).toEqual(['/data/out/part-0', code, cause]);
  });

  it('leaves other errors as they are', () => {
    const other = fsError('EEXIST');
    expect(toStorageError(other, '/x', 'write')).toBe(other);
    expect(toStorageError('not an error', '/x', 'write')).toBe('not an error');
    expect(storageAdvice(other)).toBe('');
  });
});
