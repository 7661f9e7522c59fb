/**
 * Work that runs on without anyone awaiting it (a cleanup after a failure, a delete of
 * a subsumed checkpoint) must still say when it fails: {@link detach} logs it instead
 * of letting it vanish in a `.catch(() => {})` or end the process as an unhandled rejection.
 */
import type { Logger } from './logger.js';

/**
 * Lets `work` run on its own; if it rejects, logs a warning `<what> failed` with the error.
 * @param what what was being done, e.g. `deleting checkpoint 3`
 */
export function detach(work: Promise<unknown>, logger: Logger, what: string): void {
  work.catch((error: unknown) => logger.warn({ err: error }, `${what} failed`));
}

/**
 * Awaits `work` and logs instead of throwing when it fails: for clean-ups whose failure
 * must not replace the outcome being reported. Resolves to whether the work succeeded.
 */
export async function settleLogged(work: Promise<unknown>, logger: Logger, what: string): Promise<boolean> {
  try {
    await work;
    return true;
  } catch (error) {
    logger.warn({ err: error }, `${what} failed`);
    return false;
  }
}
