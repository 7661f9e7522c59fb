/**
 * The {@link RuntimeContext} a user function receives in `open`: where it runs, and its
 * keyed state. Keyed state exists only on keyed streams; asking for it elsewhere throws
 * a {@link StateAccessError} that names the operator and the state.
 */
import { StateAccessError } from '../core/errors.js';
import type { OperatorInfo } from '../runtime/operators/stream-operator.js';
import type { KeyedStateBackend } from '../state/keyed-state-backend.js';
import { checkUserStateName } from '../state/internal-state-names.js';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  StateDescriptor,
  ValueStateDescriptor,
} from '../state/descriptors.js';
import type { AggregatingState, ListState, MapState, ReducingState, ValueState } from '../state/state.js';

/** Where a function instance runs, and access to its keyed state (Flink's RuntimeContext). */
export interface RuntimeContext {
  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T>;
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T>;
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V>;
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T>;
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT>;
  /** 0-based index of this parallel instance. */
  getIndexOfThisSubtask(): number;
  getNumberOfParallelSubtasks(): number;
  getMaxNumberOfParallelSubtasks(): number;
  /** 0 on the first run, then one more after each restart. */
  getAttemptNumber(): number;
  /** The operator's name (its uid when set). */
  getTaskName(): string;
  /** A job parameter given with `--set key=value` (or `runJob(job, { parameters })`). */
  getParameter(key: string): string | undefined;
}

/** The runtime context of one operator instance. */
export class StreamingRuntimeContext implements RuntimeContext {
  constructor(
    private readonly info: OperatorInfo,
    private readonly keyedBackend: KeyedStateBackend | undefined,
  ) {}

  getState<T>(descriptor: ValueStateDescriptor<T>): ValueState<T> {
    return this.keyedState(descriptor);
  }
  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.keyedState(descriptor);
  }
  getMapState<K, V>(descriptor: MapStateDescriptor<K, V>): MapState<K, V> {
    return this.keyedState(descriptor);
  }
  getReducingState<T>(descriptor: ReducingStateDescriptor<T>): ReducingState<T> {
    return this.keyedState(descriptor);
  }
  getAggregatingState<IN, ACC, OUT>(descriptor: AggregatingStateDescriptor<IN, ACC, OUT>): AggregatingState<IN, OUT> {
    return this.keyedState(descriptor);
  }
  getIndexOfThisSubtask(): number {
    return this.info.subtaskIndex;
  }
  getNumberOfParallelSubtasks(): number {
    return this.info.parallelism;
  }
  getMaxNumberOfParallelSubtasks(): number {
    return this.info.maxParallelism;
  }
  getAttemptNumber(): number {
    return this.info.attemptNumber;
  }
  getTaskName(): string {
    return this.info.operatorName;
  }
  getParameter(key: string): string | undefined {
    return this.info.parameters.get(key);
  }

  private keyedState<S>(descriptor: StateDescriptor<unknown>): S {
    const { operatorName, subtaskIndex, parallelism } = this.info;
    const where = `operator '${operatorName}' (subtask ${subtaskIndex + 1}/${parallelism}): `;
    checkUserStateName(descriptor.name, where);
    if (!this.keyedBackend) {
      throw new StateAccessError(
        `${where}keyed state '${descriptor.name}' used outside a keyed stream; apply the function after keyBy(), or use operator state (initializeState) instead`,
      );
    }
    return this.keyedBackend.getPartitionedState(descriptor as ValueStateDescriptor<unknown>) as S;
  }
}
