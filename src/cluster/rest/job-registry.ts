/**
 * The jobs of the local cluster, by id: what the REST API serves. Ended jobs stay, so
 * their final status (and the outcome of a stop-with-savepoint) can still be read.
 */
import { ConfigError } from '../../core/errors.js';
import type { JobClient } from '../run-job.js';

/** Shortest job id prefix that {@link JobRegistry.lookup} accepts in place of a full id. */
export const MIN_JOB_ID_PREFIX = 4;

/** A full job id: 32 hex digits (any case). */
export const FULL_JOB_ID = /^[0-9a-f]{32}$/i;

/** What {@link JobRegistry.lookup} found for an id or prefix. */
export type JobLookup =
  | { readonly kind: 'found'; readonly job: JobClient }
  | { readonly kind: 'not-found' }
  | { readonly kind: 'ambiguous'; readonly candidates: readonly string[] };

/** The running and ended jobs of this process, in the order they were added. */
export class JobRegistry {
  private readonly jobs = new Map<string, JobClient>();

  /**
   * Adds a job (as `startJob` returned it). It stays after it ends; its client keeps
   * reporting the final status.
   * @throws ConfigError when a job with the same id is already registered
   */
  add(job: JobClient): void {
    if (this.jobs.has(job.jobId)) throw new ConfigError(`job ${job.jobId} is already registered`);
    this.jobs.set(job.jobId, job);
  }

  /** Every registered job, oldest first. */
  list(): readonly JobClient[] {
    return [...this.jobs.values()];
  }

  /** The job with exactly this id (case-insensitive), if registered. */
  get(jobId: string): JobClient | undefined {
    return this.jobs.get(jobId.toLowerCase());
  }

  /**
   * Finds a job by its full id or by a unique prefix of at least
   * {@link MIN_JOB_ID_PREFIX} characters (case-insensitive).
   */
  lookup(idOrPrefix: string): JobLookup {
    const id = idOrPrefix.toLowerCase();
    const exact = this.get(id);
    if (exact) return { kind: 'found', job: exact };
    if (id.length < MIN_JOB_ID_PREFIX) return { kind: 'not-found' };
    const matches = [...this.jobs.values()].filter((job) => job.jobId.startsWith(id));
    if (matches.length === 0) return { kind: 'not-found' };
    if (matches.length === 1) return { kind: 'found', job: matches[0]! };
    return { kind: 'ambiguous', candidates: matches.map((job) => job.jobId) };
  }
}
