/**
 * Brands: how the engine recognises its own kinds of objects (window assigners, windows,
 * output tags, errors) whichever copy of Eddy made them. `instanceof` compares classes, and
 * a job that loads a second copy of Eddy (another module format, another folder, another
 * version) brings second classes; a `Symbol.for` key is the same in every copy and every
 * module format, so a brand set by one copy is seen by all.
 */
// every copy that makes branded objects announces itself, so a second copy can be named
import './eddy-instances.js';

/** A brand: marks a class's prototype, then recognises its instances and its subclasses' instances. */
export interface Brand<T> {
  /** The registry symbol, `Symbol.for('eddy.<kind>')`. */
  readonly symbol: symbol;
  /** Marks `prototype` (and so every instance of the class and of its subclasses). */
  mark(prototype: object): void;
  /** Whether `value` carries this brand, set by any copy of Eddy. */
  is(value: unknown): value is T;
}

/**
 * Makes the brand of one kind of object.
 *
 * @param kind - a short stable name (`'merging-window-assigner'`); changing it breaks
 *   recognition between copies of different versions
 * @example
 * ```ts
 * const OUTPUT_TAG = defineBrand<OutputTag<unknown>>('output-tag');
 * OUTPUT_TAG.mark(OutputTag.prototype);
 * export const isOutputTag = (value: unknown) => OUTPUT_TAG.is(value);
 * ```
 */
export function defineBrand<T>(kind: string): Brand<T> {
  const symbol = Symbol.for(`eddy.${kind}`);
  return {
    symbol,
    mark(prototype) {
      Object.defineProperty(prototype, symbol, { value: true, enumerable: false });
    },
    is(value): value is T {
      return (
        (typeof value === 'object' || typeof value === 'function') &&
        value !== null &&
        (value as Record<symbol, unknown>)[symbol] === true
      );
    },
  };
}
