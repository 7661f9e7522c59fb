/** Turns a job's {@link JobDetails} into the JSON of the jobs routes. */
import type { JobStatus } from '../job-master.js';
import type { JobDetails } from '../run-job.js';
import type { JobDetailsResponse, JobOverview, RestJobState } from './rest-messages.js';

/** Eddy's job status as the REST API spells it. */
export function restJobState(status: JobStatus): RestJobState {
  return status.toUpperCase() as RestJobState;
}

/** One job of `GET /jobs/overview`. */
export function jobOverview(details: JobDetails, now: number): JobOverview {
  const end = details.endTime;
  return {
    jid: details.jobId,
    name: details.name,
    state: restJobState(details.status),
    'start-time': details.startTime,
    'end-time': end ?? -1,
    duration: Math.max(0, (end ?? now) - details.startTime),
    restarts: details.restarts,
  };
}

/** `GET /jobs/:id` */
export function jobDetailsView(details: JobDetails, now: number): JobDetailsResponse {
  return {
    ...jobOverview(details, now),
    now,
    'state-backend': details.stateBackend,
    vertices: details.vertices.map((v) => ({
      id: v.id,
      name: v.name,
      parallelism: v.parallelism,
      maxParallelism: v.maxParallelism,
      'operator-uids': [...v.operatorUids],
      'is-source': v.isSource,
      metrics: { 'read-records': v.recordsIn, 'write-records': v.recordsOut },
    })),
  };
}
