/** Runs a {@link ProcessFunction} or, on a keyed stream, a {@link KeyedProcessFunction}. */
import type { KeyedContext, KeyedProcessFunction, ProcessContext, ProcessFunction } from '../functions.js';
import { UdfOperator } from './udf-operator.js';

export class ProcessOperator<I, O> extends UdfOperator<I, O> {
  private readonly context: ProcessContext = { timestamp: () => undefined };
  constructor(private readonly fn: ProcessFunction<I, O>) {
    super(fn);
  }
  processElement(record: I): void {
    this.fn.processElement(record, this.context, this.output);
  }
}

export class KeyedProcessOperator<K, I, O> extends UdfOperator<I, O> {
  private readonly context: KeyedContext<K> = {
    timestamp: () => undefined,
    getCurrentKey: () => this.keyedBackend!.getCurrentKey() as K,
  };
  constructor(private readonly fn: KeyedProcessFunction<K, I, O>) {
    super(fn);
  }
  processElement(record: I): void {
    this.fn.processElement(record, this.context, this.output);
  }
}
