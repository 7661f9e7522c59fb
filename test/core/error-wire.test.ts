import { describe, expect, it } from 'vitest';
import { CheckpointCorruptedError } from '../../src/checkpoint/storage/checkpoint-corrupted-error.js';
import { ConfigError, StorageError, TaskFailureError, fromWireError, toWireError } from '../../src/core/errors.js';

/** What the other side of a `postMessage` gets: the structured clone of the wire form, rebuilt. */
function acrossThreads(error: unknown): Error {
  return fromWireError(structuredClone(toWireError(error)));
}

describe('errors across the thread boundary', () => {
  it('rebuilds a TaskFailureError with its operator, subtask and attempt, and the user error as its cause', () => {
    const user = new RangeError('record 7 is cursed');
    const original = new TaskFailureError({ operator: 'boom', subtaskIndex: 1, parallelism: 3, attempt: 2 }, user);
    const rebuilt = acrossThreads(original);

    expect(rebuilt).toBeInstanceOf(TaskFailureError);
    const task = rebuilt as TaskFailureError;
    expect([task.operator, task.subtaskIndex, task.parallelism, task.attempt]).toEqual(['boom', 1, 3, 2]);
    expect(task.message).toBe("operator 'boom' (subtask 2/3, attempt #2) failed: RangeError: record 7 is cursed");
    expect(task.message).toBe(original.message);
    expect(task.stack).toBe(original.stack);
    // the user's class is not Eddy's, so it comes back as an Error with the user's name and stack
    expect(task.cause).toBeInstanceOf(Error);
    expect((task.cause as Error).name).toBe('RangeError');
    expect((task.cause as Error).message).toBe('record 7 is cursed');
    expect((task.cause as Error).stack).toBe(user.stack);
    expect(task.userError).toEqual({ name: 'RangeError', message: 'record 7 is cursed', stack: user.stack });
  });

  it('builds the message of a TaskFailureError from its fields, naming the attempt only after a restart', () => {
    const first = new TaskFailureError({ operator: 'sink', subtaskIndex: 0, parallelism: 1, attempt: 0 }, 'a plain string');
    expect(first.message).toBe("operator 'sink' (subtask 1/1) failed: Error: a plain string");
    expect(first.cause).toBeInstanceOf(Error);
  });

  it("keeps an Eddy error's class, structured fields and chain of causes", () => {
    const disk = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
    const storage = new StorageError("cannot write '/data/chk-3' (ENOSPC)", { path: '/data/chk-3', code: 'ENOSPC' }, { cause: disk });
    const config = new ConfigError('checkpoint 3 failed', { cause: storage });

    const rebuilt = acrossThreads(config);
    expect(rebuilt).toBeInstanceOf(ConfigError);
    expect(rebuilt.message).toBe('checkpoint 3 failed');
    const cause = rebuilt.cause as StorageError;
    expect(cause).toBeInstanceOf(StorageError);
    expect([cause.path, cause.code, cause.message]).toEqual(['/data/chk-3', 'ENOSPC', "cannot write '/data/chk-3' (ENOSPC)"]);
    const root = cause.cause as NodeJS.ErrnoException;
    expect([root.message, root.code, root.errno]).toEqual(['ENOSPC: no space left on device, write', 'ENOSPC', -28]);
  });

  it('keeps the fields of a class registered by a higher layer', () => {
    const original = new CheckpointCorruptedError('chk-2 has no _metadata', { path: '/cp/chk-2', problem: 'missing-metadata' });
    const rebuilt = acrossThreads(original);
    expect(rebuilt).toBeInstanceOf(CheckpointCorruptedError);
    expect((rebuilt as CheckpointCorruptedError).path).toBe('/cp/chk-2');
    expect((rebuilt as CheckpointCorruptedError).problem).toBe('missing-metadata');
  });

  it('turns a thrown non-error into an Error and stops at a cycle of causes', () => {
    expect(acrossThreads(42).message).toBe('42');
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    let depth = 0;
    for (let e: unknown = acrossThreads(a); e instanceof Error; e = e.cause) depth++;
    expect(depth).toBeLessThan(12);
  });
});
