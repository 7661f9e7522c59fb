/**
 * Loads a job module and builds its stream graph. TypeScript job files are loaded through
 * tsx, registered once per thread, so `eddy run job.ts` and worker threads need no build
 * step.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JobDefinitionError } from '../core/errors.js';
import { isJobDefinition, moduleLabel } from '../api/define-job.js';
import type { JobDefinition } from '../api/define-job.js';
import { StreamExecutionEnvironment, type EnvironmentContext } from '../api/environment.js';
import type { StreamGraph } from '../runtime/graph/stream-graph.js';
import { registerEddyResolution } from './eddy-resolution.js';

let tsxRegistered: Promise<void> | undefined;

/**
 * Lets this thread import `.ts` files. Both tsx hooks are registered: a `.ts` file in a
 * package without `"type": "module"` is compiled to CommonJS and loaded by `require`.
 * Then `eddy` is made to resolve to this runtime's copy in both formats, so a job may
 * live in any folder, with or without a package.json or node_modules.
 */
export function registerTypeScript(): Promise<void> {
  tsxRegistered ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(async ([esm, cjs]) => {
    cjs.register();
    esm.register();
    // after tsx: hooks registered later run first
    await registerEddyResolution();
  });
  return tsxRegistered;
}

/** A file path or URL → a module URL. */
export function toModuleUrl(pathOrUrl: string): string {
  if (/^(file|data|node):/.test(pathOrUrl)) return pathOrUrl;
  return pathToFileURL(resolve(pathOrUrl)).href;
}

/** Imports a job module and returns its default export, checked. */
export async function loadJobModule(pathOrUrl: string): Promise<JobDefinition> {
  const url = toModuleUrl(pathOrUrl);
  const label = moduleLabel(url);
  if (url.startsWith('file:') && !existsSync(new URL(url))) {
    throw new JobDefinitionError(`job file '${label}' does not exist`);
  }
  await registerTypeScript();
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new JobDefinitionError(`job file '${label}' could not be loaded: ${(error as Error).message ?? String(error)}`, {
      cause: error,
    });
  }
  // a .ts job compiled to CommonJS arrives as { default: { default: job } }
  const cjsExports = mod.default as { default?: unknown } | undefined;
  const job = isJobDefinition(mod.default) ? mod.default : cjsExports?.default;
  if (!isJobDefinition(job)) {
    throw new JobDefinitionError(
      `job file '${label}' has no job as its default export; end it with: export default defineJob((env) => { ... })`,
    );
  }
  return job;
}

/** Calls the job's builder on a fresh environment, given the run's parameters and parallelism. */
export function buildStreamGraph(job: JobDefinition, context: EnvironmentContext): StreamGraph {
  const env = new StreamExecutionEnvironment(context);
  const result = job.build(env) as unknown;
  if (result instanceof Promise) {
    throw new JobDefinitionError('the job builder must be synchronous: every thread builds the same graph from it');
  }
  return env.toStreamGraph();
}
