/**
 * Fault injection for tests of user jobs: a map function that passes records through and
 * throws once it has seen a chosen number of records, so a test can check what a failure
 * at that point does. Later issues add failing sources and storage beside it.
 */
import type { RichMapFunction } from '../api/functions.js';
import type { RuntimeContext } from '../api/runtime-context.js';

/** When a {@link FailingMap} throws. */
export interface FailingMapOptions {
  /** Throw when this many records have passed this instance (1 = on the first record). */
  readonly failAtRecord: number;
  /** Only this subtask fails. @default 0 */
  readonly subtaskIndex?: number;
  /** Only in these attempts (0 = the first run). @default [0] */
  readonly attempts?: readonly number[];
  /** The message of the thrown error. @default 'injected failure' */
  readonly message?: string;
}

/** The error a {@link FailingMap} throws. */
export class InjectedFailure extends Error {
  override readonly name = 'InjectedFailure';
}

/** An identity map that fails at a chosen record of a chosen subtask and attempt. */
export class FailingMap<T> implements RichMapFunction<T, T> {
  private seen = 0;
  private armed = false;

  constructor(private readonly options: FailingMapOptions) {
    if (!Number.isInteger(options.failAtRecord) || options.failAtRecord < 1) {
      throw new TypeError(`FailingMap: failAtRecord must be an integer >= 1, got ${String(options.failAtRecord)}`);
    }
  }

  open(ctx: RuntimeContext): void {
    const { subtaskIndex = 0, attempts = [0] } = this.options;
    this.armed = ctx.getIndexOfThisSubtask() === subtaskIndex && attempts.includes(ctx.getAttemptNumber());
  }

  map(value: T): T {
    if (this.armed && ++this.seen === this.options.failAtRecord) {
      throw new InjectedFailure(this.options.message ?? `injected failure at record ${this.seen}`);
    }
    return value;
  }
}
