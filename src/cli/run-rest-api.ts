/**
 * The REST API of `eddy run`. It starts before the job, so that an explicit
 * `--rest-port` that is taken fails the run before anything runs; when the default port
 * is taken (a second `eddy run`), the API moves to a free port, and the run says so.
 */
import { ConfigError } from '../core/errors.js';
import type { JobClient } from '../cluster/run-job.js';
import { JobRestApi } from '../cluster/rest/job-rest-api.js';
import { DEFAULT_REST_PORT, PortInUseError } from '../cluster/rest/rest-server.js';

/**
 * The environment variable that replaces the default port 8081 (for tests and tools that
 * must not depend on what else listens on 8081). An explicit `--rest-port` still wins.
 */
export const DEFAULT_REST_PORT_VARIABLE = 'EDDY_DEFAULT_REST_PORT';

/**
 * The port `eddy run` uses when no `--rest-port` is given: `EDDY_DEFAULT_REST_PORT` if
 * set, else {@link DEFAULT_REST_PORT}.
 * @throws ConfigError when the variable is not a port number
 */
export function defaultRestPort(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[DEFAULT_REST_PORT_VARIABLE];
  if (value === undefined || value === '') return DEFAULT_REST_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new ConfigError(`${DEFAULT_REST_PORT_VARIABLE} must be a port number (0-65535), got '${value}'`);
  }
  return port;
}

/** The REST API of one `eddy run`: a {@link JobRestApi} with the CLI's port rules. */
export class RunRestApi {
  private constructor(private readonly api: JobRestApi) {}

  /**
   * Starts the server on `port`, or on `defaultPort` when none was given; when the default
   * port is in use, on a free port instead (after telling `say`). Resolves to undefined
   * (after `warn`) when no port can be used without an explicit one.
   * @param defaultPort @default {@link defaultRestPort}()
   * @param allowedHosts names accepted in `Host` besides the loopback ones (`--rest-allowed-host`)
   * @throws ConfigError when an explicit port cannot be used
   */
  static async open(
    port: number | undefined,
    warn: (message: string) => void,
    defaultPort = defaultRestPort(),
    allowedHosts: readonly string[] = [],
    say: (line: string) => void = warn,
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
      if (!(error instanceof PortInUseError)) {
        warn(`REST API not started: ${error instanceof Error ? error.message : String(error)} (pass --rest-port 0 for a free port)`);
        return undefined;
      }
    }
    try {
      const api = await JobRestApi.start({ port: 0, allowedHosts });
      say(`port ${defaultPort} is in use; the REST API listens on port ${api.port} instead`);
      return new RunRestApi(api);
    } catch (error) {
      warn(`REST API not started: port ${defaultPort} is in use, and no free port was found: ${error instanceof Error ? error.message : String(error)}`);
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
