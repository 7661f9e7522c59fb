/**
 * Operator (non-keyed) state for user functions, as Flink's CheckpointedFunction: a
 * function that implements `initializeState` gets its per-instance list, union-list and
 * broadcast state there (restored after a failure or rescale), and writes it in
 * `snapshotState` when a checkpoint is taken.
 */
import type { ListStateDescriptor, MapStateDescriptor } from '../state/descriptors.js';
import type { BroadcastState, ListState } from '../state/state.js';
import type { RuntimeContext } from './runtime-context.js';

/** The operator state a function instance can hold. */
export interface OperatorStateStoreView {
  /** A list redistributed by even split on rescale. */
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** A list of which every instance receives the union on restore. */
  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  /** A map that is the same on every instance. */
  getBroadcastState<K, V>(descriptor: MapStateDescriptor<K, V>): BroadcastState<K, V>;
}

/** Given to `initializeState`. */
export interface FunctionInitializationContext {
  /** True when the state was restored from a checkpoint or savepoint. */
  isRestored(): boolean;
  getOperatorStateStore(): OperatorStateStoreView;
  /** Where this instance runs (subtask, parallelism, attempt), as `open` will see it. */
  getRuntimeContext(): RuntimeContext;
}

/** Given to `snapshotState`. */
export interface FunctionSnapshotContext {
  getCheckpointId(): number;
}

/** A function with operator state. */
export interface CheckpointedFunction {
  initializeState(ctx: FunctionInitializationContext): void | Promise<void>;
  snapshotState(ctx: FunctionSnapshotContext): void;
}

/** True when `fn` implements {@link CheckpointedFunction}. */
export function isCheckpointedFunction(fn: unknown): fn is CheckpointedFunction {
  return (
    typeof fn === 'object' &&
    fn !== null &&
    typeof (fn as CheckpointedFunction).initializeState === 'function' &&
    typeof (fn as CheckpointedFunction).snapshotState === 'function'
  );
}

/** Optional hooks a function may have to hear about checkpoints. */
export interface CheckpointListener {
  notifyCheckpointComplete?(checkpointId: number): void | Promise<void>;
  notifyCheckpointAborted?(checkpointId: number): void;
}
