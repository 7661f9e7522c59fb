/**
 * Savepoints triggered over REST run longer than a request, so each gets a trigger id
 * that the caller polls (Flink's asynchronous operations). An operation is kept until
 * its outcome has been read; the server waits for that before closing, so that the
 * caller of a stop-with-savepoint learns the path although the job has ended.
 */
import { randomUUID } from 'node:crypto';

/** Lifecycle of one operation: in-progress → completed | failed. */
export type SavepointOperationState =
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'completed'; readonly location: string }
  | { readonly kind: 'failed'; readonly errorClass: string; readonly message: string };

/** One savepoint (or stop-with-savepoint) triggered over REST. */
export interface SavepointOperation {
  readonly triggerId: string;
  readonly jobId: string;
  readonly state: SavepointOperationState;
}

interface Entry {
  triggerId: string;
  jobId: string;
  state: SavepointOperationState;
  /** True once a settled state has been read by a caller. */
  delivered: boolean;
}

/** Settled operations kept at most; the oldest ones already read go first. */
const MAX_KEPT = 1000;

/** The savepoint operations of one REST server. */
export class SavepointOperations {
  private readonly entries = new Map<string, Entry>();
  private readonly waiters = new Set<() => void>();

  /** Starts `run` (which resolves with the savepoint's path) and returns its trigger id. */
  start(jobId: string, run: () => Promise<string>): string {
    const triggerId = randomUUID().replaceAll('-', '');
    const entry: Entry = { triggerId, jobId, state: { kind: 'in-progress' }, delivered: false };
    this.entries.set(triggerId, entry);
    this.evict();
    Promise.resolve()
      .then(run)
      .then(
        (location) => {
          entry.state = { kind: 'completed', location };
        },
        (error: unknown) => {
          const e = error instanceof Error ? error : new Error(String(error));
          entry.state = { kind: 'failed', errorClass: e.name, message: oneLine(e.message) };
        },
      )
      .finally(() => this.wake());
    return triggerId;
  }

  /** The operation `triggerId` of job `jobId`; reading a settled one marks it as delivered. */
  get(jobId: string, triggerId: string): SavepointOperation | undefined {
    const entry = this.entries.get(triggerId.toLowerCase());
    if (!entry || entry.jobId !== jobId) return undefined;
    if (entry.state.kind !== 'in-progress' && !entry.delivered) {
      entry.delivered = true;
      this.wake();
    }
    return { triggerId: entry.triggerId, jobId: entry.jobId, state: entry.state };
  }

  /**
   * Resolves once every operation has settled and its outcome has been read, or after
   * `timeoutMs`, whichever comes first.
   */
  async whenDelivered(timeoutMs: number): Promise<void> {
    if (this.allDelivered()) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const check = () => {
        if (this.allDelivered()) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(check);
    });
  }

  private allDelivered(): boolean {
    for (const entry of this.entries.values()) if (!entry.delivered) return false;
    return true;
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }

  private evict(): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= MAX_KEPT) return;
      if (entry.delivered) this.entries.delete(id);
    }
  }
}

function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' ');
}
