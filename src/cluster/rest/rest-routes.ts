/**
 * The routes of the REST API (docs/REST.md), modelled on Flink's: list jobs, read a
 * job's details and checkpoints, trigger savepoints, stop and cancel. Reading routes
 * take a unique job id prefix; routes that change a job need its full id, so a short
 * guess cannot hit whatever job happens to match it.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/errors.js';
import type { JobStatus } from '../job-master.js';
import type { JobClient } from '../run-job.js';
import { checkpointDetails, checkpointingStatistics } from './checkpoint-views.js';
import { jobExceptionsView } from './exception-views.js';
import { FULL_JOB_ID, MIN_JOB_ID_PREFIX } from './job-registry.js';
import type { JobRegistry } from './job-registry.js';
import { jobDetailsView, jobOverview, restJobState } from './job-views.js';
import { RestError } from './rest-error.js';
import type { JobIdsResponse, JobsOverviewResponse, SavepointStatusResponse, TriggerResponse } from './rest-messages.js';
import type { RestReply, RestRequest, RestRoute } from './rest-router.js';
import type { SavepointOperations } from './savepoint-operations.js';

const ENDED: readonly JobStatus[] = ['finished', 'failed', 'canceled'];

/** `POST /jobs/:jobId/savepoints` (Flink's field names). */
const savepointBody = z
  .object({
    'target-directory': z.string().min(1).optional(),
    'cancel-job': z.boolean().optional(),
  })
  .strict();

/** `POST /jobs/:jobId/stop` (Flink's field names). */
const stopBody = z
  .object({
    targetDirectory: z.string().min(1).optional(),
    drain: z.boolean().optional(),
  })
  .strict();

/** Every route, answering from `registry` and keeping savepoint triggers in `operations`. */
export function restRoutes(registry: JobRegistry, operations: SavepointOperations): RestRoute[] {
  const job = (request: RestRequest): JobClient => findJob(registry, request.param('jobId'));
  const exactJob = (request: RestRequest): JobClient => findExactJob(registry, request.param('jobId'));

  return [
    {
      method: 'GET',
      path: '/jobs',
      handle: () => ok<JobIdsResponse>({ jobs: registry.list().map((j) => ({ id: j.jobId, status: restJobState(j.status()) })) }),
    },
    {
      method: 'GET',
      path: '/jobs/overview',
      handle: () => {
        const now = Date.now();
        return ok<JobsOverviewResponse>({ jobs: registry.list().map((j) => jobOverview(j.details(), now)) });
      },
    },
    {
      method: 'GET',
      path: '/jobs/:jobId',
      handle: (request) => ok(jobDetailsView(job(request).details(), Date.now())),
    },
    {
      method: 'PATCH',
      path: '/jobs/:jobId',
      handle: (request) => {
        const mode = request.query.get('mode') ?? 'cancel';
        if (mode !== 'cancel') throw new RestError(400, `unsupported mode '${mode}': only mode=cancel (use POST /jobs/:jobId/stop to stop)`);
        return cancel(exactJob(request));
      },
    },
    {
      method: 'POST',
      path: '/jobs/:jobId/cancel',
      handle: (request) => cancel(exactJob(request)),
    },
    {
      method: 'GET',
      path: '/jobs/:jobId/checkpoints',
      handle: (request) => {
        const j = job(request);
        return ok(checkpointingStatistics(j.checkpointCounts(), j.checkpoints()));
      },
    },
    {
      method: 'GET',
      path: '/jobs/:jobId/exceptions',
      handle: (request) => {
        const j = job(request);
        const limit = request.query.get('maxExceptions');
        if (limit !== null && !/^\d+$/.test(limit)) throw new RestError(400, `maxExceptions must be a non-negative integer, got '${limit}'`);
        return ok(jobExceptionsView(j.exceptions(), limit === null ? undefined : Number(limit)));
      },
    },
    {
      method: 'GET',
      path: '/jobs/:jobId/checkpoints/details/:checkpointId',
      handle: (request) => {
        const j = job(request);
        const text = request.param('checkpointId');
        if (!/^\d+$/.test(text)) throw new RestError(400, `checkpoint id must be a non-negative integer, got '${text}'`);
        const id = Number(text);
        const stats = j.checkpoints().find((s) => s.checkpointId === id);
        if (!stats) throw new RestError(404, `job ${j.jobId} has no checkpoint ${id} in its recent history`);
        return ok(checkpointDetails(stats));
      },
    },
    {
      method: 'POST',
      path: '/jobs/:jobId/savepoints',
      handle: async (request) => {
        const body = parseBody(savepointBody, request.body);
        const j = requireRunning(exactJob(request), 'take a savepoint');
        const directory = await savepointTarget(j, body['target-directory'], 'take a savepoint');
        const run = body['cancel-job']
          ? async () => {
              const location = await j.triggerSavepoint(directory);
              await j.cancel().catch(jobFailureIsReportedElsewhere);
              return location;
            }
          : () => j.triggerSavepoint(directory);
        return accepted<TriggerResponse>({ 'request-id': operations.start(j.jobId, run) });
      },
    },
    {
      method: 'POST',
      path: '/jobs/:jobId/stop',
      handle: async (request) => {
        const body = parseBody(stopBody, request.body);
        const j = requireRunning(exactJob(request), 'stop it');
        const directory = await savepointTarget(j, body.targetDirectory, 'stop with a savepoint');
        const run = () => j.stopWithSavepoint(directory, { drain: body.drain ?? false });
        return accepted<TriggerResponse>({ 'request-id': operations.start(j.jobId, run) });
      },
    },
    {
      method: 'GET',
      path: '/jobs/:jobId/savepoints/:triggerId',
      handle: (request) => {
        const j = job(request);
        const triggerId = request.param('triggerId');
        const operation = operations.get(j.jobId, triggerId);
        if (!operation) throw new RestError(404, `job ${j.jobId} has no savepoint operation '${triggerId}'`);
        const { state } = operation;
        switch (state.kind) {
          case 'in-progress':
            return ok<SavepointStatusResponse>({ status: { id: 'IN_PROGRESS' } });
          case 'completed':
            return ok<SavepointStatusResponse>({ status: { id: 'COMPLETED' }, operation: { location: state.location } });
          case 'failed':
            return ok<SavepointStatusResponse>({
              status: { id: 'COMPLETED' },
              operation: { 'failure-cause': { class: state.errorClass, message: state.message } },
            });
        }
      },
    },
  ];
}

/** The job with this id or unique prefix. */
function findJob(registry: JobRegistry, id: string): JobClient {
  const found = registry.lookup(id);
  switch (found.kind) {
    case 'found':
      return found.job;
    case 'ambiguous':
      throw new RestError(400, `job id prefix '${id}' is ambiguous: it matches ${found.candidates.join(', ')}`);
    case 'not-found':
      throw new RestError(
        404,
        id.length < MIN_JOB_ID_PREFIX ? `no job '${id}' (a job id prefix needs at least ${MIN_JOB_ID_PREFIX} characters)` : `no job '${id}'`,
      );
  }
}

/** The job with exactly this id: routes that change a job take no prefix. */
function findExactJob(registry: JobRegistry, id: string): JobClient {
  if (!FULL_JOB_ID.test(id)) {
    throw new RestError(400, `a full job id is required: '${id}' is not 32 hex characters (GET /jobs lists the ids)`);
  }
  const found = registry.get(id);
  if (!found) throw new RestError(404, `no job '${id}'`);
  return found;
}

/**
 * The checked directory a savepoint of `job` will be written under: the requested one
 * (which must be absolute: the server's working directory means nothing to a client) or
 * the job's default. A directory that may not be used is refused before the request is
 * accepted.
 */
async function savepointTarget(job: JobClient, requested: string | undefined, action: string): Promise<string | undefined> {
  if (requested !== undefined && !isAbsolute(requested)) {
    throw new RestError(400, `savepoint directory '${requested}' is not absolute: give an absolute path`);
  }
  if (!job.savepointTarget) return requested;
  try {
    return await job.savepointTarget(requested, action);
  } catch (error) {
    if (error instanceof ConfigError) throw new RestError(400, error.message);
    throw error;
  }
}

function requireRunning(job: JobClient, action: string): JobClient {
  const status = job.status();
  if (ENDED.includes(status)) throw new RestError(409, `job ${job.jobId} has already ended (${status}); cannot ${action}`);
  return job;
}

function cancel(job: JobClient): RestReply {
  requireRunning(job, 'cancel it');
  // a job that fails while canceling reports it through its status
  Promise.resolve()
    .then(() => job.cancel())
    .catch(jobFailureIsReportedElsewhere);
  return accepted({});
}

/**
 * `JobClient.cancel()` rejects when the job failed before it could be canceled. The job
 * master has logged that failure and recorded it in the exception history, and the job's
 * status says FAILED, so a cancel request has nothing more to report.
 */
function jobFailureIsReportedElsewhere(): void {}

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.join('.');
  throw new RestError(400, `invalid request body: ${path ? `'${path}': ` : ''}${issue.message}`);
}

function ok<T>(body: T): RestReply {
  return { status: 200, body };
}

function accepted<T>(body: T): RestReply {
  return { status: 202, body };
}
