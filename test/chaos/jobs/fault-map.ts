/** The map function through which a chaos job injects one of its faults into itself. */
import { appendFileSync } from 'node:fs';
import { RichMapFunction } from 'eddy';
import type { CheckpointedFunction, FunctionInitializationContext, FunctionSnapshotContext, RuntimeContext } from 'eddy';
import { FailingMap } from 'eddy/testing';
import type { ChaosEvent } from './chaos-shape.js';
import type { FiredFault, JobFault } from './chaos-faults.js';

/**
 * Injects one {@link JobFault}: logs it, then fires it through a {@link FailingMap}
 * (throw, exit-thread, restore) or SIGKILLs the process (kill).
 */
export class FaultMap extends RichMapFunction<ChaosEvent, ChaosEvent> implements CheckpointedFunction {
  private readonly inner: FailingMap<ChaosEvent> | undefined;
  private attempt = 0;
  private subtask = 0;

  constructor(
    private readonly fault: JobFault,
    private readonly faultSubtask: number,
    private readonly log: string,
  ) {
    super();
    const { how } = fault;
    this.inner =
      how === 'kill'
        ? undefined
        : new FailingMap<ChaosEvent>(
            how === 'restore'
              ? { failOnRestore: true, attempts: [fault.attempt], subtaskIndex: faultSubtask }
              : { failAtRecord: 1, attempts: [fault.attempt], subtaskIndex: faultSubtask, how },
          );
  }

  initializeState(ctx: FunctionInitializationContext): void {
    this.attempt = ctx.getRuntimeContext().getAttemptNumber();
    this.subtask = ctx.getRuntimeContext().getIndexOfThisSubtask();
    if (this.fault.how === 'restore' && this.armed() && ctx.isRestored()) this.fired();
    this.inner?.initializeState(ctx);
  }

  snapshotState(ctx: FunctionSnapshotContext): void {
    this.inner?.snapshotState(ctx);
  }

  override open(ctx: RuntimeContext): void {
    this.inner?.open(ctx);
  }

  map(e: ChaosEvent): ChaosEvent {
    if (this.fault.how === 'restore' || e.i !== this.fault.record || !this.armed()) return e;
    this.fired();
    // SIGKILL, as `kill -9` from outside: no handler, no clean-up, the whole process ends
    if (this.fault.how === 'kill') process.kill(process.pid, 'SIGKILL');
    // FailingMap counts records: with failAtRecord 1 the record given here is the one it fails at
    return this.inner!.map(e);
  }

  private armed(): boolean {
    return this.subtask === this.faultSubtask && this.attempt === this.fault.attempt;
  }

  private fired(): void {
    const line: FiredFault = { life: this.fault.life, attempt: this.attempt, how: this.fault.how, subtask: this.subtask, ...(this.fault.record === undefined ? {} : { record: this.fault.record }) };
    appendFileSync(this.log, JSON.stringify(line) + '\n');
  }
}
