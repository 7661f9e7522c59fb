/**
 * The one way tests wait for something to happen: poll a condition until it holds, and
 * fail with what was awaited once a generous deadline passes. Never a loop count (how many
 * rounds fit in a wait depends on the machine's load) and never a fixed sleep used as
 * synchronisation.
 */

/** How {@link waitUntil} waits. */
export interface WaitUntilOptions {
  /** What is awaited, for the error: "the sources read 1,000 records". */
  readonly what: string;
  /** The deadline, ms from the call. Generous: it bounds a hang, it times nothing. @default 30_000 */
  readonly timeoutMs?: number;
  /** Pause between polls, ms; 0 yields with `setImmediate` (I/O still runs). @default 10 */
  readonly pollMs?: number;
  /** Work to do before each poll (e.g. step tasks by hand); it runs at least once. */
  readonly step?: () => void | Promise<void>;
  /** Details for the error when the deadline passes (e.g. the current counts). */
  readonly describe?: () => string;
}

/** Thrown by {@link waitUntil} when the condition still does not hold at the deadline. */
export class WaitTimeoutError extends Error {
  override readonly name = 'WaitTimeoutError';

  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    details: string | undefined,
  ) {
    super(`timed out after ${timeoutMs} ms waiting until ${what}${details ? ` (${details})` : ''}`);
  }
}

/** Resolves once `condition` holds; rejects with {@link WaitTimeoutError} at the deadline. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, options: WaitUntilOptions): Promise<void> {
  const { timeoutMs = 30_000, pollMs = 10, step } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (step) await step();
    if (await condition()) return;
    if (Date.now() > deadline) throw new WaitTimeoutError(options.what, timeoutMs, options.describe?.());
    await new Promise((resolve) => (pollMs === 0 ? setImmediate(resolve) : setTimeout(resolve, pollMs)));
  }
}
