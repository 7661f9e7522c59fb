/**
 * Names a side output of an operator (Flink's OutputTag): a process function emits to it
 * with `ctx.output(tag, value)`, and `stream.getSideOutput(tag)` reads it as a stream of
 * its own. Two tags with the same id are the same side output. Side outputs that no
 * stream reads are dropped.
 */
import { defineBrand } from '../core/brand.js';
import { JobDefinitionError } from '../core/errors.js';

export class OutputTag<T> {
  /** Only for typing: a tag carries values of type T. */
  declare readonly __type?: T;

  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.length === 0) throw new JobDefinitionError('an OutputTag needs a non-empty id');
  }

  toString(): string {
    return `OutputTag(${this.id})`;
  }
}

const OUTPUT_TAG = defineBrand<OutputTag<unknown>>('output-tag');
OUTPUT_TAG.mark(OutputTag.prototype);

/** Whether `value` is an {@link OutputTag} (made by any copy of Eddy). */
export function isOutputTag(value: unknown): value is OutputTag<unknown> {
  return OUTPUT_TAG.is(value);
}
