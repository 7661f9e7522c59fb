/**
 * Matches a method and a path against the REST routes. Paths are patterns like
 * `/jobs/:jobId/savepoints/:triggerId`; a pattern with fewer parameters wins over one
 * with more (so `/jobs/overview` is not taken for a job id).
 */
import { RestError } from './rest-error.js';

/** HTTP methods the REST API serves. */
export type RestMethod = 'GET' | 'POST' | 'PATCH';

/** What a handler gets. */
export interface RestRequest {
  /** The value of the path's `:name` segment, URL-decoded. */
  param(name: string): string;
  readonly query: URLSearchParams;
  /** The parsed JSON body (POST and PATCH); `{}` when the body is empty. */
  readonly body: unknown;
}

/** A handler's successful answer. */
export interface RestReply {
  readonly status: 200 | 202;
  readonly body: unknown;
}

/** One route of the API. */
export interface RestRoute {
  readonly method: RestMethod;
  readonly path: string;
  handle(request: RestRequest): RestReply | Promise<RestReply>;
}

/** A route that matched, with its path parameters. */
export interface RouteMatch {
  readonly route: RestRoute;
  readonly params: Record<string, string>;
}

interface Pattern {
  readonly path: string;
  readonly segments: readonly string[];
  readonly params: number;
  readonly routes: RestRoute[];
}

/** Finds the route of a request. */
export class RestRouter {
  private readonly patterns: Pattern[] = [];

  constructor(routes: readonly RestRoute[]) {
    for (const route of routes) {
      let pattern = this.patterns.find((p) => p.path === route.path);
      if (!pattern) {
        const segments = splitPath(route.path);
        pattern = { path: route.path, segments, params: segments.filter((s) => s.startsWith(':')).length, routes: [] };
        this.patterns.push(pattern);
      }
      pattern.routes.push(route);
    }
    this.patterns.sort((a, b) => a.params - b.params);
  }

  /**
   * The route for `method` and `pathname` (without the query).
   * @throws RestError 404 when no path matches, 405 when the path has no such method, 400 for bad escapes
   */
  match(method: string, pathname: string): RouteMatch {
    let segments: string[];
    try {
      segments = splitPath(pathname).map((s) => decodeURIComponent(s));
    } catch {
      throw new RestError(400, `malformed path: ${pathname}`);
    }
    for (const pattern of this.patterns) {
      const params = matchSegments(pattern.segments, segments);
      if (!params) continue;
      const route = pattern.routes.find((r) => r.method === method);
      if (!route) {
        const allowed = pattern.routes.map((r) => r.method).join(', ');
        throw new RestError(405, `method ${method} is not allowed on ${pathname} (allowed: ${allowed})`, { Allow: allowed });
      }
      return { route, params };
    }
    throw new RestError(404, `no such route: ${method} ${pathname}`);
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return params;
}
