/** Applies a {@link FlatMapFunction}: its returned iterable and its collector both emit. */
import { flatMapFunctionCall } from '../functions.js';
import type { Collector, FlatMapFunction } from '../functions.js';
import { UdfOperator } from './udf-operator.js';

export class FlatMapOperator<I, O> extends UdfOperator<I, O> {
  private readonly call: (value: I, out: Collector<O>) => Iterable<O> | void;
  constructor(fn: FlatMapFunction<I, O>) {
    super(fn);
    this.call = flatMapFunctionCall(fn);
  }
  processElement(record: I): void {
    const result = this.call(record, this.output);
    if (result !== undefined) for (const r of result) this.output.collect(r);
  }
}
