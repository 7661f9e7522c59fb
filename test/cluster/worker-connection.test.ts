import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { WorkerConnection } from '../../src/cluster/worker-connection.js';
import { WorkerExitedError } from '../../src/cluster/worker-exited-error.js';

/** A worker thread running `code` (CommonJS), with a connection that records how it ended. */
function connect(code: string) {
  const ends: (number | string)[] = [];
  const connection = new WorkerConnection(3, new Worker(code, { eval: true }), () => {}, (exitCode, error) => ends.push(error ? error.message : exitCode!));
  return { connection, ends };
}

describe('the connection to a worker thread', () => {
  it('rejects a pending request with a WorkerExitedError naming the thread and request when the thread exits', async () => {
    const { connection, ends } = connect(`require('node:worker_threads').parentPort.on('message', () => process.exit(7));`);
    const error = await connection.request((requestId) => ({ type: 'cancel', requestId })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect(error).toMatchObject({ slot: 3, request: 'cancel', exitCode: 7, message: "worker thread 3 ended (exit code 7) before answering 'cancel'" });
    expect(ends).toEqual([7]);
    // a request after the end is rejected at once, not left waiting
    await expect(connection.request((requestId) => ({ type: 'cancel', requestId }))).rejects.toBeInstanceOf(WorkerExitedError);
  });

  it('rejects a pending request with the crash as its cause when the thread throws', async () => {
    const { connection, ends } = connect(`require('node:worker_threads').parentPort.on('message', () => { throw new Error('worker on fire'); });`);
    const error = await connection.request((requestId) => ({ type: 'cancel', requestId })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkerExitedError);
    expect((error as WorkerExitedError).cause).toMatchObject({ message: 'worker on fire' });
    expect(ends).toEqual(['worker on fire']);
  });

  it('resolves a cancel answered by the thread, and terminates a thread that does not answer in time', async () => {
    const answering = connect(
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', (m) => parentPort.postMessage({ type: 'canceled', requestId: m.requestId }));
       setInterval(() => {}, 1000);`,
    );
    expect(await answering.connection.cancel(30_000)).toBe('canceled');
    expect(answering.connection.hasEnded).toBe(true);

    const stuck = connect(`require('node:worker_threads').parentPort.on('message', () => { for (;;) {} });`);
    expect(await stuck.connection.cancel(200)).toBe('terminated-by-watchdog');
    expect(stuck.connection.hasEnded).toBe(true);
  });
});
