/**
 * Fault injection for tests of user jobs: a map function that passes records through
 * and fails at a chosen point: at the n-th record of a chosen subtask, or while its state
 * is being restored, in chosen attempts only, either by throwing or by ending its worker
 * thread (as a crash would).
 */
import { isMainThread } from 'node:worker_threads';
import type { FunctionInitializationContext, FunctionSnapshotContext } from '../api/checkpointed-function.js';
import type { RichMapFunction } from '../api/functions.js';
import type { RuntimeContext } from '../api/runtime-context.js';

/** When and how a {@link FailingMap} fails. */
export interface FailingMapOptions {
  /** Fail when this many records have passed this instance (1 = on the first record). */
  readonly failAtRecord?: number;
  /** Fail while restoring state (in `initializeState` of a restored task). */
  readonly failOnRestore?: boolean;
  /** Only this subtask fails. @default 0 */
  readonly subtaskIndex?: number;
  /** Only in these attempts (0 = the first run). @default [0] */
  readonly attempts?: readonly number[];
  /**
   * `'throw'` throws {@link InjectedFailure}; `'exit-thread'` ends the worker thread the
   * task runs in (on the main thread, where that would end the process, it throws).
   * @default 'throw'
   */
  readonly how?: 'throw' | 'exit-thread';
  /** The message of the thrown error. */
  readonly message?: string;
}

/** The error a {@link FailingMap} throws. */
export class InjectedFailure extends Error {
  override readonly name = 'InjectedFailure';
}

/** An identity map that fails at a chosen record, or on restore, of a chosen subtask and attempt. */
export class FailingMap<T> implements RichMapFunction<T, T> {
  private seen = 0;
  private armed = false;
  private subtask = 0;
  private attempt = 0;

  constructor(private readonly options: FailingMapOptions) {
    const { failAtRecord } = options;
    if (failAtRecord !== undefined && (!Number.isInteger(failAtRecord) || failAtRecord < 1)) {
      throw new TypeError(`FailingMap: failAtRecord must be an integer >= 1, got ${String(failAtRecord)}`);
    }
    if (failAtRecord === undefined && !options.failOnRestore) {
      throw new TypeError('FailingMap: give failAtRecord, failOnRestore, or both');
    }
  }

  initializeState(ctx: FunctionInitializationContext): void {
    this.subtask = ctx.getRuntimeContext().getIndexOfThisSubtask();
    this.attempt = ctx.getRuntimeContext().getAttemptNumber();
    if (this.options.failOnRestore && ctx.isRestored() && this.matches()) this.fail('injected failure while restoring state');
  }

  snapshotState(_ctx: FunctionSnapshotContext): void {}

  open(ctx: RuntimeContext): void {
    this.subtask = ctx.getIndexOfThisSubtask();
    this.attempt = ctx.getAttemptNumber();
    this.armed = this.options.failAtRecord !== undefined && this.matches();
  }

  map(value: T): T {
    if (this.armed && ++this.seen === this.options.failAtRecord) this.fail(`injected failure at record ${this.seen}`);
    return value;
  }

  private matches(): boolean {
    const { subtaskIndex = 0, attempts = [0] } = this.options;
    return this.subtask === subtaskIndex && attempts.includes(this.attempt);
  }

  private fail(what: string): never {
    if (this.options.how === 'exit-thread' && !isMainThread) process.exit(70);
    throw new InjectedFailure(this.options.message ?? what);
  }
}
