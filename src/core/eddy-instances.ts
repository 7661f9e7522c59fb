/**
 * Every loaded copy of Eddy announces itself here, in a registry shared by all copies of
 * a thread (`globalThis[Symbol.for('eddy.instances')]`), so the runtime can tell when a
 * job brought a copy of its own (a relative import, a `node_modules` copy of another
 * version) and say so: the job still runs correctly (the engine checks brands, not
 * classes), but two copies hold two sets of module state and may differ in version.
 */
import { existsSync, readFileSync } from 'node:fs';

/** One loaded copy of Eddy. */
export interface EddyInstance {
  /** The URL of the copy's package folder (ends with `/`). */
  readonly packageUrl: string;
  /** The URL of the module that registered it (tells two instances of one folder apart). */
  readonly moduleUrl: string;
  /** The copy's `version` from its package.json, or `'unknown'`. */
  readonly version: string;
}

const REGISTRY = Symbol.for('eddy.instances');

/** This copy: the module that registered is `<package>/<dist or src>/core/eddy-instances.js`. */
export const thisEddy: EddyInstance = Object.freeze({
  packageUrl: new URL('../../', import.meta.url).href,
  moduleUrl: import.meta.url,
  version: packageVersion(new URL('../../package.json', import.meta.url)),
});

registry().push(thisEddy);

/** The copies of Eddy loaded in this thread, this one first if it came first. */
export function eddyInstances(): readonly EddyInstance[] {
  return registry();
}

/** The copies of Eddy loaded in this thread other than the runtime's own. */
export function otherEddyInstances(): readonly EddyInstance[] {
  return registry().filter((instance) => instance !== thisEddy);
}

/**
 * The warning for a thread where other copies of Eddy than the runtime's are loaded, or
 * undefined when there are none.
 */
export function otherEddyCopiesWarning(): string | undefined {
  const others = otherEddyInstances();
  if (others.length === 0) return undefined;
  const copies = others
    .map((other) =>
      other.packageUrl === thisEddy.packageUrl
        ? `${describeEddyInstance(other)}, the same package loaded a second time (compiled to CommonJS, or under another URL)`
        : describeEddyInstance(other),
    )
    .join('; ');
  return (
    `the job loaded ${others.length === 1 ? 'another copy' : `${others.length} other copies`} of Eddy (${copies}) ` +
    `beside the runtime's own (${describeEddyInstance(thisEddy)}); the job runs, but the copies share no module state ` +
    `and may differ in version: import Eddy by its name, 'eddy' (the runtime provides it to every job), ` +
    `not by a path or from a copy of its own`
  );
}

/** `eddy 0.1.0 at /path/to/eddy/` */
export function describeEddyInstance(instance: EddyInstance): string {
  const where = instance.packageUrl.startsWith('file:') ? new URL(instance.packageUrl).pathname : instance.packageUrl;
  return `eddy ${instance.version} at ${where}`;
}

function registry(): EddyInstance[] {
  const global = globalThis as { [REGISTRY]?: EddyInstance[] };
  global[REGISTRY] ??= [];
  return global[REGISTRY];
}

function packageVersion(url: URL): string {
  if (url.protocol !== 'file:' || !existsSync(url)) return 'unknown';
  const json = JSON.parse(readFileSync(url, 'utf8')) as { version?: unknown };
  return typeof json.version === 'string' ? json.version : 'unknown';
}
