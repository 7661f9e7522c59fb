/**
 * The REST API of one job started with `startJob(job, { rest })`: the server starts
 * before the job (a port in use fails the start, before anything runs) and closes by
 * itself once the job has ended and the outcome of every savepoint triggered through it
 * has been read (or a grace period has passed), so the caller of a stop-with-savepoint
 * learns the path.
 */
import type { JobClient } from '../run-job.js';
import { JobRegistry } from './job-registry.js';
import { startRestServer } from './rest-server.js';
import type { RestServer, RestServerOptions } from './rest-server.js';

/** How long the API stays up after its job ended for a savepoint's outcome to be fetched (ms). */
export const SAVEPOINT_DELIVERY_GRACE_MS = 10_000;

/** A REST server for one job. */
export class JobRestApi {
  private constructor(
    private readonly server: RestServer,
    private readonly registry: JobRegistry,
  ) {}

  /**
   * Starts the server.
   * @throws PortInUseError when the port is taken; ConfigError for a bad port or host name
   */
  static async start(options: RestServerOptions): Promise<JobRestApi> {
    const registry = new JobRegistry();
    return new JobRestApi(await startRestServer(registry, options), registry);
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.server.url;
  }

  /** The port it listens on. */
  get port(): number {
    return this.server.port;
  }

  /** Serves `job` until it has ended, then closes (after its savepoints' outcomes were read). */
  serve(job: JobClient): void {
    this.registry.add(job);
    const close = () => this.close();
    void job.result.then(close, close);
  }

  /** Closes once the outcome of every savepoint triggered through it has been read, or after the grace period. */
  close(): Promise<void> {
    return this.server.drain(SAVEPOINT_DELIVERY_GRACE_MS).then(() => this.server.close());
  }
}
