/**
 * The heap backend keeps state as live JS values, so it copies them on the way in and on
 * the way out: mutating an object after `update()`, or mutating what `value()` returned,
 * must never change stored state or a snapshot in flight. This is the fast deep copy it
 * uses; primitives cost nothing.
 */

/** Nesting depth after which {@link copyValue} hands over to `structuredClone` (cycles end up here). */
const MAX_FAST_DEPTH = 256;

const typedArraySlice = (Object.getPrototypeOf(Uint8Array.prototype) as { slice(this: unknown): unknown }).slice;

/** Thrown inside the fast path to restart the copy with `structuredClone`. */
const TOO_DEEP: unique symbol = Symbol('too deep');

/**
 * A deep copy of `value` with the same types: plain objects, arrays, `Map`, `Set`, `Date`,
 * typed arrays, `DataView` and `ArrayBuffer` are copied by a fast path; anything else
 * (class instances, `RegExp`, `Error`, values nested deeper than 256 levels or cyclic) goes
 * through `structuredClone`, which turns class instances into plain objects. Primitives
 * (including `undefined`, `null` and bigints) are returned as they are.
 *
 * The fast path copies shared references inside one value as separate copies; only the
 * `structuredClone` fallback keeps them shared.
 *
 * @throws a `TypeError` for functions or symbols inside `value` (a `DOMException`
 *   `DataCloneError` when found by the fallback path).
 */
export function copyValue<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  try {
    return copyObject(value, 0) as T;
  } catch (error) {
    if (error === TOO_DEEP) return structuredClone(value);
    throw error;
  }
}

function copyAny(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`a ${typeof value} cannot be copied as state data`);
    }
    return value;
  }
  return copyObject(value, depth);
}

function copyObject(value: object, depth: number): unknown {
  if (depth > MAX_FAST_DEPTH) throw TOO_DEEP;
  const next = depth + 1;
  if (Array.isArray(value)) {
    const length = value.length;
    const out = new Array<unknown>(length);
    for (let i = 0; i < length; i++) out[i] = copyAny(value[i], next);
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const out: Record<string, unknown> = proto === null ? Object.create(null) : {};
    const source = value as Record<string, unknown>;
    for (const key of Object.keys(source)) out[key] = copyAny(source[key], next);
    return out;
  }
  if (value instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of value) out.set(copyAny(k, next), copyAny(v, next));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    for (const v of value) out.add(copyAny(v, next));
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) {
      return new DataView(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
    }
    // %TypedArray%.prototype.slice copies, where Buffer's own slice() returns a view.
    return typedArraySlice.call(value);
  }
  if (value instanceof ArrayBuffer) return value.slice(0);
  return structuredClone(value);
}

/**
 * Checks that `value` holds no functions or symbols, the values no state may store,
 * without copying it (backends that serialize every write use this where the heap backend
 * relies on {@link copyValue}). Cycles and shared references are fine.
 *
 * @throws a `TypeError` naming what was found
 */
export function checkStorable(value: unknown): void {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'function' || typeof value === 'symbol') {
      throw new TypeError(`a ${typeof value} cannot be stored as state data`);
    }
    return;
  }
  const seen = new Set<object>();
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== 'object' || next === null) {
      if (typeof next === 'function' || typeof next === 'symbol') {
        throw new TypeError(`a ${typeof next} cannot be stored as state data`);
      }
      continue;
    }
    if (seen.has(next) || ArrayBuffer.isView(next) || next instanceof ArrayBuffer || next instanceof Date) continue;
    seen.add(next);
    if (next instanceof Map) {
      for (const [k, v] of next) pending.push(k, v);
    } else if (next instanceof Set) {
      for (const v of next) pending.push(v);
    } else {
      for (const key of Object.keys(next)) pending.push((next as Record<string, unknown>)[key]);
    }
  }
}
