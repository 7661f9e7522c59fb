/**
 * The HTTP server of the REST API: node:http on 127.0.0.1, JSON in and out, every error
 * answered as `{ "message": ... }` with its status. A handler that throws answers 500
 * and never takes the process down. Before any route runs, a request must pass the
 * {@link RestAccessPolicy} (Host and Origin) and a POST must declare a JSON body: a web
 * page can send `text/plain` or form bodies cross-site without asking, but not JSON.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConfigError } from '../../core/errors.js';
import type { JobRegistry } from './job-registry.js';
import { RestAccessPolicy } from './rest-access-policy.js';
import { RestError } from './rest-error.js';
import type { ErrorResponse } from './rest-messages.js';
import { RestRouter } from './rest-router.js';
import { restRoutes } from './rest-routes.js';
import { SavepointOperations } from './savepoint-operations.js';

/** The port `eddy run` serves the REST API on unless told otherwise (Flink's). */
export const DEFAULT_REST_PORT = 8081;

/** The only interface the server listens on: the API has no authentication. */
const HOST = '127.0.0.1';

/** Largest request body accepted (bytes). */
const MAX_BODY_BYTES = 64 * 1024;

/** Options of {@link startRestServer}. */
export interface RestServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one (read it from {@link RestServer.port}). @default 8081 */
  readonly port?: number;
  /**
   * Names accepted in the `Host` header besides `localhost`, `127.0.0.1` and `[::1]`
   * (`--rest-allowed-host`), e.g. the name of a proxy in front of the API.
   * @default []
   */
  readonly allowedHosts?: readonly string[];
}

/** A running REST server. */
export interface RestServer {
  /** The port it listens on. */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /**
   * Resolves once every savepoint triggered through this server has settled and its
   * outcome has been read by a caller, or after `timeoutMs`. Call it before
   * {@link close} so that the caller of a stop-with-savepoint learns the path.
   */
  drain(timeoutMs: number): Promise<void>;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** The port of {@link startRestServer} is taken by another process. */
export class PortInUseError extends ConfigError {
  constructor(readonly port: number) {
    super(`port ${port} is in use`);
  }
}

/**
 * Serves the jobs of `registry` over HTTP on 127.0.0.1 (docs/REST.md).
 * @throws PortInUseError when the port is taken; ConfigError for a port out of range
 */
export async function startRestServer(registry: JobRegistry, options: RestServerOptions = {}): Promise<RestServer> {
  const port = options.port ?? DEFAULT_REST_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`invalid REST port ${port}: expected an integer from 0 to 65535`);
  }
  const policy = new RestAccessPolicy(HOST, options.allowedHosts);
  const operations = new SavepointOperations();
  const router = new RestRouter(restRoutes(registry, operations));
  const server = createServer((req, res) => {
    handle(policy, router, req, res).catch(() => res.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new PortInUseError(port));
      else if (error.code === 'EACCES') reject(new ConfigError(`no permission to listen on port ${port}`, { cause: error }));
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
  server.on('error', () => {}); // after listening, errors belong to single connections

  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  let closed: Promise<void> | undefined;
  return {
    port: actualPort,
    url: `http://${HOST}:${actualPort}`,
    drain: (timeoutMs) => operations.whenDelivered(timeoutMs),
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

async function handle(policy: RestAccessPolicy, router: RestRouter, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.on('error', () => {});
  let status: number;
  let body: unknown;
  let headers: Readonly<Record<string, string>> = {};
  try {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const pathname = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const method = req.method ?? 'GET';
    policy.check(req.headers.host, req.headers.origin);
    const { route, params } = router.match(method, pathname);
    if (method === 'POST' || hasBody(req)) checkJsonContentType(method, req.headers['content-type']);
    const requestBody = method === 'POST' || method === 'PATCH' ? await readJson(req) : undefined;
    const reply = await route.handle({
      query,
      body: requestBody,
      param: (name) => {
        const value = params[name];
        if (value === undefined) throw new Error(`route ${route.path} has no parameter '${name}'`);
        return value;
      },
    });
    status = reply.status;
    body = reply.body;
  } catch (error) {
    if (error instanceof RestError) {
      status = error.status;
      headers = error.headers;
    } else {
      status = 500;
    }
    body = { message: errorMessage(error, status) } satisfies ErrorResponse;
  }
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...(status === 413 ? { Connection: 'close' } : {}),
  });
  res.end(text);
}

/** Whether the request carries a body (PATCH and DELETE may come without one). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** @throws RestError 415 unless the media type is `application/json` (parameters such as charset allowed) */
function checkJsonContentType(method: string, contentType: string | undefined): void {
  const mediaType = contentType?.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json') return;
  throw new RestError(
    415,
    `${method} needs a JSON body with Content-Type: application/json (got ${contentType === undefined ? 'none' : `'${contentType}'`}); send -H 'Content-Type: application/json'`,
  );
}

/** The request's body as JSON; an empty body is `{}`. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new RestError(400, `request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function tooLarge(): RestError {
  return new RestError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
}

function errorMessage(error: unknown, status: number): string {
  const message = error instanceof Error ? error.message : String(error);
  const line = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ');
  return status === 500 ? `internal error: ${error instanceof Error ? `${error.name}: ` : ''}${line}` : line;
}
