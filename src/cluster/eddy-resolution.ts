/**
 * Makes `eddy` (and its subpaths, `eddy/testing`…) resolve to the runtime's own copy in
 * whatever module format a job is loaded: a `.ts` job in a folder without
 * `"type": "module"` is compiled to CommonJS by tsx and imports through `require`, one
 * in an ESM package through `import`. Without this, the first found no `eddy` in a
 * folder without node_modules, or loaded a second copy (tsx compiles a required `.js`
 * file to CommonJS anew), whose objects the engine's classes did not recognise.
 */
import { readFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The package folder of this copy (`dist/cluster/` or `src/cluster/` → `./`). */
const PACKAGE_URL = new URL('../../', import.meta.url);

/**
 * The ESM resolve hook, run on the loader thread: a module registered with
 * `module.register` cannot share this module's scope, so it is its own small module.
 */
const ESM_HOOKS = `
let entries = new Map();
export function initialize(data) { entries = new Map(data.entries); }
export function resolve(specifier, context, nextResolve) {
  const url = entries.get(specifier);
  return url === undefined ? nextResolve(specifier, context) : { url, format: 'module', shortCircuit: true };
}
`;

interface CjsModuleInternals {
  _resolveFilename(request: string, parent: unknown, isMain: boolean, options?: unknown): string;
  _cache: Record<string, Module>;
}

let registered: Promise<void> | undefined;

/**
 * Registers, once per thread, the ESM resolve hook and the CommonJS resolution that map
 * the package's specifiers to this copy's entry points. Call it after tsx registers its
 * own hooks: hooks registered later run first.
 */
export function registerEddyResolution(): Promise<void> {
  registered ??= (async () => {
    const entries = eddyEntryPoints();
    register(`data:text/javascript,${encodeURIComponent(ESM_HOOKS)}`, { data: { entries: [...entries] } });
    await registerCommonJs(entries);
  })();
  return registered;
}

/** The package's specifiers and this copy's file URLs for them, from its package.json `exports`. */
export function eddyEntryPoints(): ReadonlyMap<string, string> {
  const pkg = JSON.parse(readFileSync(new URL('package.json', PACKAGE_URL), 'utf8')) as {
    name: string;
    exports: Record<string, string | { default?: string; import?: string }>;
  };
  const entries = new Map<string, string>();
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const file = typeof target === 'string' ? target : (target.import ?? target.default);
    if (file !== undefined) entries.set(pkg.name + subpath.slice(1), new URL(file, PACKAGE_URL).href);
  }
  return entries;
}

/**
 * `require('eddy')` returns the namespace this copy's ESM entry point already has: the
 * entry is placed in the CommonJS cache under its file name, and the specifier resolves
 * to that name, so neither Node nor tsx loads (and compiles) the file a second time.
 */
async function registerCommonJs(entries: ReadonlyMap<string, string>): Promise<void> {
  const cjs = Module as unknown as CjsModuleInternals;
  const filenames = new Map<string, string>();
  for (const [specifier, url] of entries) {
    const filename = fileURLToPath(url);
    const cached = new Module(filename);
    cached.filename = filename;
    cached.exports = await import(url);
    cached.loaded = true;
    cjs._cache[filename] = cached;
    filenames.set(specifier, filename);
  }
  const resolveFilename = cjs._resolveFilename;
  cjs._resolveFilename = function (request, parent, isMain, options) {
    return filenames.get(request) ?? resolveFilename.call(this, request, parent, isMain, options);
  };
}
