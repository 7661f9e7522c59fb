/**
 * The REST API against the real HTTP server on a free port, with fake jobs whose
 * status, checkpoints and savepoints the tests control.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckpointCounts, CheckpointStats } from '../../src/checkpoint/checkpoint-stats.js';
import { CheckpointError } from '../../src/core/errors.js';
import type { JobStatus } from '../../src/cluster/job-master.js';
import { JobResult } from '../../src/cluster/job-result.js';
import { JobRegistry } from '../../src/cluster/rest/job-registry.js';
import { PortInUseError, startRestServer } from '../../src/cluster/rest/rest-server.js';
import type { RestServer } from '../../src/cluster/rest/rest-server.js';
import type { JobClient, JobDetails, StopOptions } from '../../src/cluster/run-job.js';
import { ExceptionHistory } from '../../src/cluster/exception-history.js';
import type { ExceptionHistorySnapshot } from '../../src/cluster/exception-history.js';
import { TaskFailureError } from '../../src/core/errors.js';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A job whose answers the test sets; records the savepoints, stops and cancels asked of it. */
class FakeJob implements JobClient {
  state: JobStatus = 'running';
  history: CheckpointStats[] = [];
  counts: CheckpointCounts = { triggered: 0, completed: 0, aborted: 0 };
  readonly savepoints: { directory: string | undefined; done: Deferred<string> }[] = [];
  readonly stops: { directory: string | undefined; options: StopOptions | undefined; done: Deferred<string> }[] = [];
  cancels = 0;
  failDetails = false;
  readonly checkpointDirectory = undefined;
  readonly resumed = undefined;
  readonly result: Promise<JobResult>;
  private readonly ended = deferred<JobResult>();

  constructor(
    readonly jobId: string,
    readonly name = 'fake-job',
    readonly startTime = 1_700_000_000_000,
  ) {
    this.result = this.ended.promise;
  }

  status(): JobStatus {
    return this.state;
  }

  details(): JobDetails {
    if (this.failDetails) throw new TypeError('details exploded\nsecond line');
    const ended = this.state === 'finished' || this.state === 'failed' || this.state === 'canceled';
    return {
      jobId: this.jobId,
      name: this.name,
      status: this.state,
      startTime: this.startTime,
      endTime: ended ? this.startTime + 5000 : undefined,
      restarts: 2,
      stateBackend: 'rocksdb',
      vertices: [
        { id: 0, name: 'Source: numbers -> map', parallelism: 2, maxParallelism: 128, isSource: true, recordsIn: 1000, recordsOut: 990, operatorUids: ['numbers', 'double'] },
        { id: 1, name: 'count -> Sink: out', parallelism: 4, maxParallelism: 128, isSource: false, recordsIn: 990, recordsOut: 990, operatorUids: ['count', 'out'] },
      ],
    };
  }

  checkpoints(): readonly CheckpointStats[] {
    return this.history;
  }

  checkpointCounts(): CheckpointCounts {
    return this.counts;
  }

  failures = new ExceptionHistory(2);

  exceptions(): ExceptionHistorySnapshot {
    return this.failures.snapshot();
  }

  triggerCheckpoint(): number | undefined {
    return undefined;
  }

  triggerSavepoint(directory?: string): Promise<string> {
    const done = deferred<string>();
    this.savepoints.push({ directory, done });
    return done.promise;
  }

  stopWithSavepoint(directory?: string, options?: StopOptions): Promise<string> {
    const done = deferred<string>();
    this.stops.push({ directory, options, done });
    return done.promise;
  }

  cancel(): Promise<JobResult> {
    this.cancels++;
    this.state = 'canceled';
    this.ended.resolve(new JobResult(this.jobId, 'canceled', 5000, [], new Map()));
    return this.result;
  }
}

function checkpoint(id: number, over: Partial<CheckpointStats> = {}): CheckpointStats {
  return {
    checkpointId: id,
    kind: 'checkpoint',
    isFinal: false,
    status: 'completed',
    triggerTimestamp: 1_700_000_001_000 + id * 1000,
    durationMs: 40 + id,
    stateBytes: 1000 * id,
    persistedInFlightBytes: 0,
    directory: `/tmp/chk/job/chk-${id}`,
    tasks: [
      { vertexId: 0, subtaskIndex: 0, syncMs: 1, asyncMs: 5, alignmentMs: 0, stateBytes: 300 * id },
      { vertexId: 1, subtaskIndex: 1, syncMs: 2, asyncMs: 7, alignmentMs: 3, stateBytes: 700 * id },
    ],
    ...over,
  };
}

/** Until `predicate` holds; polls, with a generous overall deadline. */
async function eventually(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const JOB_A = 'abcd1234000000000000000000000001';
const JOB_B = 'abcd5678000000000000000000000002';
const JOB_C = 'ffff0000000000000000000000000003';

describe('the REST server', () => {
  let registry: JobRegistry;
  let server: RestServer;
  let a: FakeJob;
  let b: FakeJob;

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${server.url}${path}`, {
      method,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    return { status: response.status, body: await response.json(), headers: response.headers };
  }

  beforeEach(async () => {
    registry = new JobRegistry();
    a = new FakeJob(JOB_A, 'job-a');
    b = new FakeJob(JOB_B, 'job-b');
    registry.add(a);
    registry.add(b);
    server = await startRestServer(registry, { port: 0 });
  });

  afterEach(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 on a free port when given port 0 and says which', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('fails with PortInUseError when the port is taken', async () => {
    await expect(startRestServer(new JobRegistry(), { port: server.port })).rejects.toBeInstanceOf(PortInUseError);
  });

  it('refuses a port out of range', async () => {
    await expect(startRestServer(new JobRegistry(), { port: 70000 })).rejects.toThrow(/REST port 70000/);
  });

  describe('jobs', () => {
    it('lists every job with its status, ended ones included', async () => {
      b.state = 'finished';
      const { status, body } = await call('GET', '/jobs');
      expect(status).toBe(200);
      expect(body).toEqual({ jobs: [{ id: JOB_A, status: 'RUNNING' }, { id: JOB_B, status: 'FINISHED' }] });
    });

    it('gives an overview with Flink field names, end-time -1 while running', async () => {
      b.state = 'canceled';
      const { status, body } = await call('GET', '/jobs/overview');
      expect(status).toBe(200);
      expect(body.jobs).toHaveLength(2);
      const [running, ended] = body.jobs;
      expect(running).toMatchObject({ jid: JOB_A, name: 'job-a', state: 'RUNNING', 'start-time': a.startTime, 'end-time': -1, restarts: 2 });
      expect(running.duration).toBeGreaterThan(0);
      expect(ended).toEqual({ jid: JOB_B, name: 'job-b', state: 'CANCELED', 'start-time': b.startTime, 'end-time': b.startTime + 5000, duration: 5000, restarts: 2 });
    });

    it('gives a job details with its state backend, vertices, operator uids and record counts', async () => {
      const { status, body } = await call('GET', `/jobs/${JOB_A}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ jid: JOB_A, name: 'job-a', state: 'RUNNING', 'start-time': a.startTime, 'end-time': -1, restarts: 2, 'state-backend': 'rocksdb' });
      expect(typeof body.now).toBe('number');
      expect(body.vertices).toEqual([
        { id: 0, name: 'Source: numbers -> map', parallelism: 2, maxParallelism: 128, 'operator-uids': ['numbers', 'double'], 'is-source': true, metrics: { 'read-records': 1000, 'write-records': 990 } },
        { id: 1, name: 'count -> Sink: out', parallelism: 4, maxParallelism: 128, 'operator-uids': ['count', 'out'], 'is-source': false, metrics: { 'read-records': 990, 'write-records': 990 } },
      ]);
    });

    it('finds a job by a unique prefix of at least 4 characters, in any case', async () => {
      registry.add(new FakeJob(JOB_C, 'job-c'));
      expect((await call('GET', '/jobs/ffff')).body.jid).toBe(JOB_C);
      expect((await call('GET', '/jobs/ABCD1234')).body.jid).toBe(JOB_A);
      expect((await call('GET', '/jobs/abcd5')).body.jid).toBe(JOB_B);
    });

    it('answers 400 naming the candidates for an ambiguous prefix', async () => {
      const { status, body } = await call('GET', '/jobs/abcd');
      expect(status).toBe(400);
      expect(body.message).toContain('ambiguous');
      expect(body.message).toContain(JOB_A);
      expect(body.message).toContain(JOB_B);
    });

    it('answers 404 for an unknown job and for a prefix shorter than 4 characters', async () => {
      const unknown = await call('GET', '/jobs/0123456789');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ message: "no job '0123456789'" });
      const short = await call('GET', '/jobs/abc');
      expect(short.status).toBe(404);
      expect(short.body.message).toMatch(/at least 4 characters/);
    });
  });

  describe('exceptions', () => {
    it("lists the job's failures newest first in Flink 2's shape, with operator, subtask and attempt", async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const error = new TaskFailureError({ operator: 'enrich', subtaskIndex: 1, parallelism: 2, attempt }, new Error(`db down ${attempt}`));
        a.failures.add(error, attempt, 1_000 + attempt, (subtask) => `worker-thread-${subtask}`);
      }
      const { status, body } = await call('GET', `/jobs/${JOB_A}/exceptions`);
      expect(status).toBe(200);
      expect(Object.keys(body)).toEqual(['exceptionHistory']);
      expect(body.exceptionHistory.truncated).toBe(true); // the fake keeps 2 of 3
      expect(body.exceptionHistory.entries).toHaveLength(2);
      expect(body.exceptionHistory.entries[0]).toEqual({
        exceptionName: 'TaskFailureError',
        stacktrace: expect.stringContaining('Caused by: Error: db down 2'),
        timestamp: 1_002,
        taskName: 'enrich (2/2)#2',
        endpoint: 'worker-thread-1',
        failureLabels: {},
        concurrentExceptions: [],
        operator: 'enrich',
        subtask: 1,
        attempt: 2,
      });
      expect(body.exceptionHistory.entries[1].attempt).toBe(1);
      const limited = await call('GET', `/jobs/${JOB_A.slice(0, 8)}/exceptions?maxExceptions=1`);
      expect(limited.body.exceptionHistory.entries.map((e: { attempt: number }) => e.attempt)).toEqual([2]);
    });

    it('answers an empty history for a job that never failed, and 400 for a bad maxExceptions', async () => {
      expect((await call('GET', `/jobs/${JOB_B}/exceptions`)).body).toEqual({ exceptionHistory: { entries: [], truncated: false } });
      const bad = await call('GET', `/jobs/${JOB_B}/exceptions?maxExceptions=lots`);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toBe("maxExceptions must be a non-negative integer, got 'lots'");
    });
  });

  describe('checkpoints', () => {
    beforeEach(() => {
      a.counts = { triggered: 5, completed: 3, aborted: 1 };
      a.history = [
        checkpoint(1),
        checkpoint(2, { status: 'aborted', failureReason: 'checkpoint 2 expired after 600000 ms', directory: undefined }),
        checkpoint(3, { kind: 'savepoint', directory: '/tmp/sp/savepoint-abcd12-x' }),
        checkpoint(4),
        checkpoint(5, { status: 'pending', directory: undefined, tasks: [] }),
      ];
    });

    it('gives counts, the latest completed, savepoint and failed, and the history newest first', async () => {
      const { status, body } = await call('GET', `/jobs/${JOB_A}/checkpoints`);
      expect(status).toBe(200);
      expect(body.counts).toEqual({ total: 5, in_progress: 1, completed: 3, failed: 1 });
      expect(body.latest.completed.id).toBe(4);
      expect(body.latest.savepoint).toMatchObject({ id: 3, kind: 'savepoint', is_savepoint: true, checkpoint_type: 'SAVEPOINT', external_path: '/tmp/sp/savepoint-abcd12-x' });
      expect(body.latest.failed).toMatchObject({ id: 2, status: 'FAILED', failure_message: 'checkpoint 2 expired after 600000 ms', external_path: null });
      expect(body.history.map((c: { id: number }) => c.id)).toEqual([5, 4, 3, 2, 1]);
      expect(body.history[0]).toMatchObject({ id: 5, status: 'IN_PROGRESS', external_path: null });
      expect(body.history[1]).toEqual({
        id: 4,
        kind: 'checkpoint',
        status: 'COMPLETED',
        is_savepoint: false,
        checkpoint_type: 'CHECKPOINT',
        is_final: false,
        trigger_timestamp: 1_700_000_005_000,
        end_to_end_duration: 44,
        state_size: 4000,
        checkpointed_size: 4000,
        persisted_data: 0,
        num_acknowledged_subtasks: 2,
        external_path: '/tmp/chk/job/chk-4',
      });
    });

    it('gives null latest entries for a job without checkpoints', async () => {
      const { body } = await call('GET', `/jobs/${JOB_B}/checkpoints`);
      expect(body).toEqual({
        counts: { total: 0, in_progress: 0, completed: 0, failed: 0 },
        latest: { completed: null, savepoint: null, failed: null },
        history: [],
      });
    });

    it("gives one checkpoint's details with each subtask's sync, async and alignment durations", async () => {
      const { status, body } = await call('GET', `/jobs/${JOB_A}/checkpoints/details/4`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: 4, status: 'COMPLETED', state_size: 4000 });
      expect(body.tasks).toEqual([
        { vertex_id: 0, index: 0, state_size: 1200, checkpointed_size: 1200, checkpoint: { sync: 1, async: 5 }, alignment: { duration: 0 } },
        { vertex_id: 1, index: 1, state_size: 2800, checkpointed_size: 2800, checkpoint: { sync: 2, async: 7 }, alignment: { duration: 3 } },
      ]);
    });

    it('gives an incremental checkpoint the state it holds and, apart, what it stored', async () => {
      const four = a.history[3]!;
      a.history[3] = { ...four, fullStateBytes: 90_000, tasks: four.tasks.map((t) => ({ ...t, fullStateBytes: t.stateBytes * 10 })) };
      const { body } = await call('GET', `/jobs/${JOB_A}/checkpoints/details/4`);
      expect(body).toMatchObject({ state_size: 90_000, checkpointed_size: 4000 });
      expect(body.tasks.map((t: { state_size: number; checkpointed_size: number }) => [t.state_size, t.checkpointed_size])).toEqual([
        [12_000, 1200],
        [28_000, 2800],
      ]);
    });

    it('answers 404 for a checkpoint not in the history and 400 for an id that is not a number', async () => {
      expect((await call('GET', `/jobs/${JOB_A}/checkpoints/details/99`)).status).toBe(404);
      const bad = await call('GET', `/jobs/${JOB_A}/checkpoints/details/latest`);
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain("'latest'");
    });
  });

  describe('savepoints', () => {
    it('triggers a savepoint into the target directory, reports it in progress, then its location', async () => {
      const trigger = await call('POST', '/jobs/abcd1234/savepoints', { 'target-directory': '/tmp/savepoints' });
      expect(trigger.status).toBe(202);
      const requestId: string = trigger.body['request-id'];
      expect(requestId).toMatch(/^[0-9a-f]{32}$/);
      await eventually(() => a.savepoints.length === 1, 'the savepoint to be triggered');
      expect(a.savepoints[0]!.directory).toBe('/tmp/savepoints');

      const pending = await call('GET', `/jobs/${JOB_A}/savepoints/${requestId}`);
      expect(pending).toMatchObject({ status: 200, body: { status: { id: 'IN_PROGRESS' } } });
      expect(pending.body.operation).toBeUndefined();

      a.savepoints[0]!.done.resolve('/tmp/savepoints/savepoint-abcd12-0001');
      const answer = await pollUntilCompleted(`/jobs/abcd1234/savepoints/${requestId}`);
      expect(answer).toEqual({ status: { id: 'COMPLETED' }, operation: { location: '/tmp/savepoints/savepoint-abcd12-0001' } });
      // reading it again gives the same answer
      expect((await call('GET', `/jobs/${JOB_A}/savepoints/${requestId}`)).body).toEqual(answer);
      expect(a.cancels).toBe(0);
    });

    it('triggers a savepoint into the default directory when the body is empty', async () => {
      const trigger = await call('POST', `/jobs/${JOB_A}/savepoints`);
      expect(trigger.status).toBe(202);
      await eventually(() => a.savepoints.length === 1, 'the savepoint to be triggered');
      expect(a.savepoints[0]!.directory).toBeUndefined();
    });

    it('reports a failed savepoint as completed with its failure cause', async () => {
      const { body } = await call('POST', `/jobs/${JOB_A}/savepoints`, {});
      await eventually(() => a.savepoints.length === 1, 'the savepoint to be triggered');
      a.savepoints[0]!.done.reject(new CheckpointError('no savepoint directory: pass one or set --savepoint-dir'));
      const answer = await pollUntilCompleted(`/jobs/${JOB_A}/savepoints/${body['request-id']}`);
      expect(answer).toEqual({
        status: { id: 'COMPLETED' },
        operation: { 'failure-cause': { class: 'CheckpointError', message: 'no savepoint directory: pass one or set --savepoint-dir' } },
      });
      expect(a.status()).toBe('running');
    });

    it('cancels the job after the savepoint with cancel-job', async () => {
      const { body } = await call('POST', `/jobs/${JOB_A}/savepoints`, { 'cancel-job': true });
      await eventually(() => a.savepoints.length === 1, 'the savepoint to be triggered');
      expect(a.cancels).toBe(0);
      a.savepoints[0]!.done.resolve('/sp/1');
      const answer = await pollUntilCompleted(`/jobs/${JOB_A}/savepoints/${body['request-id']}`);
      expect(answer.operation).toEqual({ location: '/sp/1' });
      expect(a.cancels).toBe(1);
    });

    it('stops a job with a savepoint, passing the directory and drain, polled on the savepoints route', async () => {
      const trigger = await call('POST', `/jobs/${JOB_B}/stop`, { targetDirectory: '/tmp/stops', drain: true });
      expect(trigger.status).toBe(202);
      await eventually(() => b.stops.length === 1, 'the stop to be triggered');
      expect(b.stops[0]).toMatchObject({ directory: '/tmp/stops', options: { drain: true } });
      b.state = 'finished';
      b.stops[0]!.done.resolve('/tmp/stops/savepoint-abcd56-0002');
      const answer = await pollUntilCompleted(`/jobs/${JOB_B}/savepoints/${trigger.body['request-id']}`);
      expect(answer.operation).toEqual({ location: '/tmp/stops/savepoint-abcd56-0002' });
    });

    it('stops without draining by default', async () => {
      await call('POST', `/jobs/${JOB_B}/stop`);
      await eventually(() => b.stops.length === 1, 'the stop to be triggered');
      expect(b.stops[0]).toMatchObject({ directory: undefined, options: { drain: false } });
    });

    it('answers 404 for an unknown trigger id and for the trigger id of another job', async () => {
      const { body } = await call('POST', `/jobs/${JOB_A}/savepoints`, {});
      expect((await call('GET', `/jobs/${JOB_A}/savepoints/0000`)).status).toBe(404);
      expect((await call('GET', `/jobs/${JOB_B}/savepoints/${body['request-id']}`)).status).toBe(404);
    });

    it('answers 409 when the job has already ended', async () => {
      a.state = 'finished';
      const savepoint = await call('POST', `/jobs/${JOB_A}/savepoints`, {});
      expect(savepoint.status).toBe(409);
      expect(savepoint.body.message).toMatch(/already ended \(finished\)/);
      expect((await call('POST', `/jobs/${JOB_A}/stop`, {})).status).toBe(409);
      expect(a.savepoints).toHaveLength(0);
      expect(a.stops).toHaveLength(0);
    });

    it('refuses bodies with unknown fields or wrong types, naming the field', async () => {
      const typo = await call('POST', `/jobs/${JOB_A}/savepoints`, { targetDirectory: '/x' });
      expect(typo.status).toBe(400);
      expect(typo.body.message).toMatch(/targetDirectory/);
      const wrongType = await call('POST', `/jobs/${JOB_A}/stop`, { drain: 'yes' });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.message).toMatch(/'drain'/);
      const notAnObject = await call('POST', `/jobs/${JOB_A}/stop`, [1, 2]);
      expect(notAnObject.status).toBe(400);
      expect(a.savepoints).toHaveLength(0);
      expect(a.stops).toHaveLength(0);
    });

    it('waits, when draining, until the outcome of every savepoint has been read', async () => {
      const { body } = await call('POST', `/jobs/${JOB_A}/stop`, {});
      await eventually(() => a.stops.length === 1, 'the stop to be triggered');
      let drained = false;
      const draining = server.drain(60_000).then(() => {
        drained = true;
      });
      a.stops[0]!.done.resolve('/sp/stop');
      await call('GET', '/jobs'); // a round trip: the operation has settled, nobody has read it
      expect(drained).toBe(false);
      await pollUntilCompleted(`/jobs/${JOB_A}/savepoints/${body['request-id']}`);
      await draining;
      expect(drained).toBe(true);
    });

    async function pollUntilCompleted(path: string): Promise<any> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const { status, body } = await call('GET', path);
        expect(status).toBe(200);
        if (body.status.id === 'COMPLETED') return body;
        if (Date.now() > deadline) throw new Error(`still in progress: ${path}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  });

  describe('cancel', () => {
    it('cancels a job with PATCH ?mode=cancel and answers 202 {}', async () => {
      const { status, body } = await call('PATCH', `/jobs/${JOB_A}?mode=cancel`);
      expect(status).toBe(202);
      expect(body).toEqual({});
      await eventually(() => a.cancels === 1, 'the cancel');
      expect((await call('GET', '/jobs')).body.jobs[0]).toEqual({ id: JOB_A, status: 'CANCELED' });
    });

    it('cancels a job with POST /jobs/:id/cancel', async () => {
      expect((await call('POST', `/jobs/abcd5678/cancel`)).status).toBe(202);
      await eventually(() => b.cancels === 1, 'the cancel');
    });

    it('refuses another PATCH mode and a job that has already ended', async () => {
      expect((await call('PATCH', `/jobs/${JOB_A}?mode=stop`)).status).toBe(400);
      b.state = 'failed';
      const ended = await call('PATCH', `/jobs/${JOB_B}?mode=cancel`);
      expect(ended.status).toBe(409);
      expect(ended.body.message).toContain(JOB_B);
      expect(a.cancels + b.cancels).toBe(0);
    });
  });

  describe('errors', () => {
    it('answers 404 with a JSON message for an unknown route', async () => {
      const { status, body } = await call('GET', '/nope/x');
      expect(status).toBe(404);
      expect(body).toEqual({ message: 'no such route: GET /nope/x' });
    });

    it('answers 405 with Allow for a method the route does not have', async () => {
      const overview = await call('DELETE', '/jobs/overview');
      expect(overview.status).toBe(405);
      expect(overview.headers.get('allow')).toBe('GET');
      expect(overview.body.message).toMatch(/DELETE/);
      const job = await call('PUT', `/jobs/${JOB_A}`);
      expect(job.status).toBe(405);
      expect(job.headers.get('allow')).toBe('GET, PATCH');
    });

    it('answers 400 for malformed JSON and keeps serving', async () => {
      const { status, body } = await call('POST', `/jobs/${JOB_A}/savepoints`, '{"target-directory": ');
      expect(status).toBe(400);
      expect(body.message).toMatch(/not valid JSON/);
      expect(body.message).not.toContain('\n');
      expect((await call('GET', '/jobs')).status).toBe(200);
    });

    it('answers 413 for a body over 64 KiB and keeps serving', async () => {
      const { status, body } = await call('POST', `/jobs/${JOB_A}/savepoints`, { 'target-directory': 'x'.repeat(70 * 1024) });
      expect(status).toBe(413);
      expect(body.message).toMatch(/larger than 65536 bytes/);
      expect(a.savepoints).toHaveLength(0);
      expect((await call('GET', '/jobs')).status).toBe(200);
    });

    it('answers 500 with one line when a handler throws, and keeps serving', async () => {
      a.failDetails = true;
      const { status, body } = await call('GET', `/jobs/${JOB_A}`);
      expect(status).toBe(500);
      expect(body).toEqual({ message: 'internal error: TypeError: details exploded second line' });
      expect((await call('GET', `/jobs/${JOB_B}`)).status).toBe(200);
    });

    it('answers 400 for a path with a malformed escape', async () => {
      const { status } = await call('GET', '/jobs/%E0%A4%A');
      expect(status).toBe(400);
    });
  });
});

describe('the job registry', () => {
  it('refuses a second job with the same id', () => {
    const registry = new JobRegistry();
    registry.add(new FakeJob(JOB_A));
    expect(() => registry.add(new FakeJob(JOB_A))).toThrow(/already registered/);
  });
});
