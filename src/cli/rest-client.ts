/**
 * A small client of the REST API (docs/REST.md) for the CLI's `list`, `savepoint`, `stop`
 * and `cancel`, on Node's global fetch. Every failure is a {@link RestClientError} with a
 * one-line message ready to print.
 */
import { EddyError } from '../core/errors.js';
import { MIN_JOB_ID_PREFIX } from '../cluster/rest/job-registry.js';
import type { ErrorResponse, JobIdsResponse, SavepointStatusResponse, TriggerResponse } from '../cluster/rest/rest-messages.js';

/** What the CLI's client commands talk to when `--address` is not given. */
export const DEFAULT_REST_ADDRESS = 'http://127.0.0.1:8081';

/** Longest wait for one answer. */
const REQUEST_TIMEOUT_MS = 30_000;

/** A request to the REST API failed: not reachable, refused (with the server's reason), or a bad answer. */
export class RestClientError extends EddyError {
  constructor(
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Talks to one REST server. */
export class RestClient {
  private readonly base: string;

  /** @param address `http://host:port`, with or without a trailing slash */
  constructor(readonly address: string) {
    this.base = address.replace(/\/+$/, '');
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  patch<T>(path: string): Promise<T> {
    return this.request<T>('PATCH', path);
  }

  /**
   * The full id of the job `idOrPrefix` names: routes that change a job take only full
   * ids, so a prefix typed by a person is resolved against `GET /jobs` first.
   * @throws RestClientError when no job or several jobs match
   */
  async resolveJobId(idOrPrefix: string): Promise<string> {
    const wanted = idOrPrefix.toLowerCase();
    const { jobs } = await this.get<JobIdsResponse>('/jobs');
    const exact = jobs.find((j) => j.id === wanted);
    if (exact) return exact.id;
    if (wanted.length < MIN_JOB_ID_PREFIX) {
      throw new RestClientError(`no job '${idOrPrefix}' (a job id prefix needs at least ${MIN_JOB_ID_PREFIX} characters; eddy list shows the jobs)`);
    }
    const matches = jobs.filter((j) => j.id.startsWith(wanted));
    if (matches.length === 0) throw new RestClientError(`no job '${idOrPrefix}' (eddy list shows the jobs)`);
    if (matches.length > 1) {
      throw new RestClientError(`job id prefix '${idOrPrefix}' is ambiguous: it matches ${matches.map((j) => j.id).join(', ')}; give more characters`);
    }
    return matches[0]!.id;
  }

  /**
   * Polls `GET /jobs/:jobId/savepoints/:triggerId` until the operation is done;
   * resolves with the savepoint's path.
   * @throws RestClientError with the reason when the savepoint failed
   */
  async awaitSavepoint(jobId: string, trigger: TriggerResponse): Promise<string> {
    const path = `/jobs/${encodeURIComponent(jobId)}/savepoints/${encodeURIComponent(trigger['request-id'])}`;
    for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
      const answer = await this.get<SavepointStatusResponse>(path);
      if (answer.status?.id === 'COMPLETED') {
        const op = answer.operation;
        if (op && 'location' in op) return op.location;
        if (op && 'failure-cause' in op) throw new RestClientError(op['failure-cause'].message);
        throw new RestClientError(`the Eddy REST API at ${this.address} gave an unexpected answer to GET ${path}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      if (error instanceof Error && error.name === 'TimeoutError') {
        throw new RestClientError(`the Eddy REST API at ${this.address} did not answer ${method} ${path} within ${REQUEST_TIMEOUT_MS / 1000} s`);
      }
      throw new RestClientError(
        `cannot reach the Eddy REST API at ${this.address} (is a job running? start it with eddy run; use --address)`,
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? {} : JSON.parse(text);
    } catch {
      throw new RestClientError(`the server at ${this.address} did not answer ${method} ${path} with JSON (HTTP ${response.status}); is it an Eddy REST API?`, response.status);
    }
    if (!response.ok) {
      const message = (json as Partial<ErrorResponse>).message;
      throw new RestClientError(typeof message === 'string' ? message : `${method} ${path} failed with HTTP ${response.status}`, response.status);
    }
    return json as T;
  }
}
