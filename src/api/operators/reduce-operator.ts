/**
 * A rolling reduce on a keyed stream: keeps the reduced value per key in a ValueState
 * and emits the new value after every record (Flink's StreamGroupedReduceOperator).
 */
import { ValueStateDescriptor } from '../../state/descriptors.js';
import { applyReduce } from '../../state/state.js';
import type { ReduceFunction, ValueState } from '../../state/state.js';
import { UdfOperator } from './udf-operator.js';

export class ReduceOperator<T> extends UdfOperator<T, T> {
  private state!: ValueState<T>;
  constructor(private readonly reduce: ReduceFunction<T>) {
    super(reduce);
  }
  override open(): void | Promise<void> {
    this.state = this.runtimeContext.getState(new ValueStateDescriptor<T>('_reduce'));
    return super.open();
  }
  processElement(record: T): void {
    const current = this.state.value();
    const next = current === undefined ? record : applyReduce(this.reduce, current, record);
    this.state.update(next);
    this.output.collect(next);
  }
}
