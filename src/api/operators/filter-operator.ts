/** Keeps the records a {@link FilterFunction} accepts. */
import { filterFunctionCall } from '../functions.js';
import type { FilterFunction } from '../functions.js';
import { UdfOperator } from './udf-operator.js';

export class FilterOperator<T> extends UdfOperator<T, T> {
  private readonly call: (value: T) => boolean;
  constructor(fn: FilterFunction<T>) {
    super(fn);
    this.call = filterFunctionCall(fn);
  }
  processElement(record: T): void {
    if (this.call(record)) this.output.collect(record);
  }
}
