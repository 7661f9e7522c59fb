/**
 * Base of the operators that wrap a user function: wires the function's lifecycle
 * (`open`/`close`, `initializeState`/`snapshotState`, checkpoint notifications) to the
 * operator lifecycle the runtime drives.
 */
import type { KeyedStateBackend } from '../../state/keyed-state-backend.js';
import type { OperatorSetup, Output, StreamOperator } from '../../runtime/operators/stream-operator.js';
import type { OperatorStateStore } from '../../state/operator/operator-state-store.js';
import { isCheckpointedFunction } from '../checkpointed-function.js';
import type { CheckpointListener } from '../checkpointed-function.js';
import type { RichFunction } from '../functions.js';
import { StreamingRuntimeContext } from '../runtime-context.js';

/** An operator around one user function (a plain function or an object with methods). */
export abstract class UdfOperator<IN, OUT> implements StreamOperator<IN, OUT> {
  protected output!: Output<OUT>;
  protected runtimeContext!: StreamingRuntimeContext;
  protected keyedBackend: KeyedStateBackend | undefined;
  private operatorStateStore!: OperatorStateStore;

  constructor(protected readonly userFunction: unknown) {}

  get keepsState(): boolean {
    return isCheckpointedFunction(this.userFunction);
  }

  setup(setup: OperatorSetup<OUT>): void {
    this.output = setup.output;
    this.keyedBackend = setup.keyedBackend;
    this.operatorStateStore = setup.operatorStateStore;
    this.runtimeContext = new StreamingRuntimeContext(setup.info, setup.keyedBackend);
  }

  initializeState(): void | Promise<void> {
    const fn = this.userFunction;
    if (!isCheckpointedFunction(fn)) return;
    const store = this.operatorStateStore;
    return fn.initializeState({
      isRestored: () => store.isRestored(),
      getOperatorStateStore: () => store,
      getRuntimeContext: () => this.runtimeContext,
    });
  }

  open(): void | Promise<void> {
    return this.rich?.open?.(this.runtimeContext);
  }

  close(): void | Promise<void> {
    return this.rich?.close?.();
  }

  abstract processElement(record: IN): void;

  snapshotState(checkpointId: number): void {
    const fn = this.userFunction;
    if (isCheckpointedFunction(fn)) fn.snapshotState({ getCheckpointId: () => checkpointId });
  }

  notifyCheckpointComplete(checkpointId: number): void | Promise<void> {
    return (this.userFunction as CheckpointListener | undefined)?.notifyCheckpointComplete?.(checkpointId);
  }

  notifyCheckpointAborted(checkpointId: number): void {
    (this.userFunction as CheckpointListener | undefined)?.notifyCheckpointAborted?.(checkpointId);
  }

  private get rich(): RichFunction | undefined {
    const fn = this.userFunction;
    return typeof fn === 'object' && fn !== null ? (fn as RichFunction) : undefined;
  }
}
