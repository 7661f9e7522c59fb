/**
 * The REST API of `eddy run`. It starts before the job, so that an explicit
 * `--rest-port` that is taken fails the run before anything runs; the default port
 * being taken only costs the API, not the job.
 */
import { ConfigError } from '../core/errors.js';
import type { JobClient } from '../cluster/run-job.js';
import { JobRestApi } from '../cluster/rest/job-rest-api.js';
import { DEFAULT_REST_PORT, PortInUseError } from '../cluster/rest/rest-server.js';

/** The REST API of one `eddy run`: a {@link JobRestApi} with the CLI's port rules. */
export class RunRestApi {
  private constructor(private readonly api: JobRestApi) {}

  /**
   * Starts the server on `port`, or on `defaultPort` when none was given. Resolves to
   * undefined (after `warn`) when the default port cannot be used.
   * @param defaultPort @default {@link DEFAULT_REST_PORT} (another one only in tests)
   * @param allowedHosts names accepted in `Host` besides the loopback ones (`--rest-allowed-host`)
   * @throws ConfigError when an explicit port cannot be used
   */
  static async open(
    port: number | undefined,
    warn: (message: string) => void,
    defaultPort = DEFAULT_REST_PORT,
    allowedHosts: readonly string[] = [],
  ): Promise<RunRestApi | undefined> {
    try {
      return new RunRestApi(await JobRestApi.start({ port: port ?? defaultPort, allowedHosts }));
    } catch (error) {
      if (port !== undefined) {
        if (error instanceof PortInUseError) {
          throw new ConfigError(`--rest-port ${port}: the port is in use (pick another one, or 0 for a free port)`);
        }
        throw new ConfigError(`--rest-port ${port}: cannot start the REST API: ${error instanceof Error ? error.message : String(error)}`);
      }
      warn(
        error instanceof PortInUseError
          ? `REST API not started: port ${defaultPort} is in use (pass --rest-port 0 for a free port)`
          : `REST API not started: ${error instanceof Error ? error.message : String(error)} (pass --rest-port 0 for a free port)`,
      );
      return undefined;
    }
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return this.api.url;
  }

  /** Serves `job`. */
  add(job: JobClient): void {
    this.api.serve(job);
  }

  /** Closes the server once the outcome of every savepoint it triggered has been fetched (or after a grace period). */
  close(): Promise<void> {
    return this.api.close();
  }
}
