/**
 * User callbacks (`onCheckpoint`, `onProgress`, `onWarning`…) run inside Eddy's own
 * event handlers; a throw there must not end the job or the process. A guarded callback
 * catches what it throws (or the promise it returns rejects with), logs the first failure
 * as an error and later ones at debug level, and carries on.
 */
import type { Logger } from './logger.js';

/** `callback` wrapped so it never throws; undefined stays undefined. */
export function guardCallback<A extends unknown[]>(
  callback: ((...args: A) => unknown) | undefined,
  logger: Logger,
  name: string,
): ((...args: A) => void) | undefined {
  if (!callback) return undefined;
  let failures = 0;
  const report = (error: unknown) => {
    failures++;
    if (failures === 1) logger.error({ err: error, callback: name }, `the ${name} callback threw; Eddy carries on (further failures are logged at debug level)`);
    else logger.debug({ err: error, callback: name, failures }, `the ${name} callback threw again`);
  };
  return (...args: A) => {
    try {
      const returned = callback(...args);
      if (returned instanceof Promise) returned.catch(report);
    } catch (error) {
      report(error);
    }
  };
}
