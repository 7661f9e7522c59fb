/**
 * A program serves its job over REST with `startJob(job, { rest })`, as docs/REST.md
 * shows: the API's URL on the client, savepoint targets checked by the job itself (REST
 * and JobClient alike), and the server gone once the job has ended. Uses the built package.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, SavepointTargetError, startJob } from 'eddy';
import type { JobClient } from 'eddy';
import { testJobPath } from './support.js';

const TICKER = testJobPath('rest-ticker');

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

/** Until the job's source has emitted records (its tasks are deployed); generous deadline. */
async function untilProcessing(client: JobClient): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(client.status() === 'running' && client.details().vertices.some((v) => v.isSource && v.recordsOut > 0))) {
    if (Date.now() > deadline) throw new Error(`job ${client.jobId} is not processing`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('startJob with the rest option', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eddy-rest-embedding-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the job at client.restUrl, checks savepoint targets, and closes once the job ended', async () => {
    const savepoints = join(dir, 'savepoints');
    const client = await startJob(TICKER, { rest: { port: 0 }, savepointDirectory: savepoints, execution: 'single-thread' });
    try {
      expect(client.restUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const jobs = (await (await fetch(`${client.restUrl}/jobs`)).json()) as { jobs: { id: string }[] };
      expect(jobs.jobs.map((j) => j.id)).toEqual([client.jobId]);
      await untilProcessing(client);

      // through the JobClient: refused quickly, naming the path
      await expect(client.triggerSavepoint('/proc/eddy-savepoints')).rejects.toThrow(SavepointTargetError);
      await expect(client.triggerSavepoint('/proc/eddy-savepoints')).rejects.toThrow(/'\/proc\/eddy-savepoints' is under \/proc/);
      await expect(client.stopWithSavepoint('relative/dir')).rejects.toThrow(/'relative\/dir' is not absolute/);
      await expect(client.triggerSavepoint(join(dir, 'elsewhere'))).rejects.toThrow(ConfigError);
      // through REST: 400, nothing started
      const proc = await post(`${client.restUrl}/jobs/${client.jobId}/savepoints`, { 'target-directory': '/proc/self/x' });
      expect(proc.status).toBe(400);
      expect(proc.body.message).toMatch(/is under \/proc/);
      const outside = await post(`${client.restUrl}/jobs/${client.jobId}/stop`, { targetDirectory: join(dir, 'elsewhere') });
      expect(outside.status).toBe(400);
      expect(outside.body.message).toContain(`outside the savepoint directories of this job (${savepoints}`);
      expect(client.checkpointCounts().triggered).toBe(0);
      expect(client.status()).toBe('running');

      // inside the root: taken
      const taken = await client.triggerSavepoint(join(savepoints, 'by-hand'));
      expect(taken.startsWith(join(savepoints, 'by-hand') + '/')).toBe(true);
      expect((await stat(join(taken, '_metadata'))).isFile()).toBe(true);
    } finally {
      const cancel = await fetch(`${client.restUrl}/jobs/${client.jobId}?mode=cancel`, { method: 'PATCH' });
      expect(cancel.status).toBe(202);
      expect((await client.result).status).toBe('canceled');
    }
    // the API closes by itself after the job (no savepoint outcome is waiting to be read)
    const deadline = Date.now() + 20_000;
    for (;;) {
      const reachable = await fetch(`${client.restUrl}/jobs`).then(
        () => true,
        () => false,
      );
      if (!reachable) break;
      if (Date.now() > deadline) throw new Error('the REST API is still up after the job ended');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await readdir(savepoints)).toEqual(['by-hand']);
  });

  it('fails the start, before the job runs, when the port is taken', async () => {
    const first = await startJob(TICKER, { rest: { port: 0 }, execution: 'single-thread' });
    try {
      const port = Number(new URL(first.restUrl!).port);
      await expect(startJob(TICKER, { rest: { port }, execution: 'single-thread' })).rejects.toThrow(`port ${port} is in use`);
    } finally {
      await first.cancel();
    }
  });

  it('refuses, before the job runs, an allowed host that is not a host name', async () => {
    await expect(startJob(TICKER, { rest: { port: 0, allowedHosts: ['http://x'] }, execution: 'single-thread' })).rejects.toThrow(
      /'http:\/\/x' is not a host name or IP address/,
    );
  });
});
