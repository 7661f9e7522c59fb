/** Applies a {@link MapFunction} to every record. */
import { mapFunctionCall } from '../functions.js';
import type { MapFunction } from '../functions.js';
import { UdfOperator } from './udf-operator.js';

export class MapOperator<I, O> extends UdfOperator<I, O> {
  private readonly call: (value: I) => O;
  constructor(fn: MapFunction<I, O>) {
    super(fn);
    this.call = mapFunctionCall(fn);
  }
  processElement(record: I): void {
    this.output.collect(this.call(record));
  }
}
