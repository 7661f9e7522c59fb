/**
 * How `eddy inspect` writes state values, keys and namespaces as JSON. Values come back
 * from MessagePack as any JS value (bigint, Map, Set, Date, undefined, typed arrays,
 * cycles…), so everything JSON cannot hold as it is becomes a one-field object whose
 * field name starts with `$`. The full table is in docs/INSPECT.md.
 */

/** A value JSON can hold as it is. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [field: string]: JsonValue };

/**
 * Bytes that no serializer known to `eddy inspect` can decode (the state's serializer is
 * not the default one): written as `{ "$bytes": "<base64>" }`.
 */
export class OpaqueBytes {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * The JSON form of a state value, key or namespace:
 *
 * | JS value | JSON |
 * |---|---|
 * | string, boolean, null, finite number | as is (`-0` as `0`) |
 * | NaN, Infinity, -Infinity | `{ "$number": "NaN" }`, `{ "$number": "Infinity" }`, `{ "$number": "-Infinity" }` |
 * | bigint | `{ "$bigint": "123" }` |
 * | undefined (also array holes) | `{ "$undefined": true }` |
 * | Uint8Array (and Buffer), {@link OpaqueBytes} | `{ "$bytes": "<base64>" }` |
 * | other typed arrays | `{ "$typedArray": "Float64Array", "values": [...] }` |
 * | ArrayBuffer, DataView | `{ "$bytes": "<base64>", "type": "ArrayBuffer" }` |
 * | Map | `{ "$map": [[key, value], ...] }` |
 * | Set | `{ "$set": [...] }` |
 * | Date | `{ "$date": "2024-01-02T03:04:05.000Z" }` (`null` for an invalid date) |
 * | RegExp | `{ "$regexp": "/a+/g" }` |
 * | Error | `{ "$error": { "name": "TypeError", "message": "..." } }` |
 * | an object with a field starting with `$` | `{ "$object": { ...its fields } }`, so it never reads as one of the above |
 * | other objects | their own enumerable string-keyed fields |
 * | a reference back to an enclosing object (cycle) | `{ "$cycle": true }` |
 * | function, symbol | `{ "$unsupported": "function" }` |
 */
export function toInspectJson(value: unknown): JsonValue {
  return convert(value, new Set());
}

function convert(value: unknown, ancestors: Set<object>): JsonValue {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value)) return Object.is(value, -0) ? 0 : value;
      return { $number: String(value) };
    case 'bigint':
      return { $bigint: value.toString() };
    case 'undefined':
      return { $undefined: true };
    case 'function':
    case 'symbol':
      return { $unsupported: typeof value };
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof OpaqueBytes) return { $bytes: base64(object.bytes) };
  if (object instanceof Uint8Array) return { $bytes: base64(object) };
  if (object instanceof ArrayBuffer) return { $bytes: base64(new Uint8Array(object)), type: 'ArrayBuffer' };
  if (object instanceof DataView) {
    return { $bytes: base64(new Uint8Array(object.buffer, object.byteOffset, object.byteLength)), type: 'DataView' };
  }
  if (ArrayBuffer.isView(object)) {
    const typed = object as unknown as ArrayLike<number | bigint>;
    return { $typedArray: object.constructor.name, values: Array.from(typed, (n) => convert(n, ancestors)) };
  }
  if (object instanceof Date) {
    const time = object.getTime();
    return { $date: Number.isNaN(time) ? null : object.toISOString() };
  }
  if (object instanceof RegExp) return { $regexp: String(object) };
  if (ancestors.has(object)) return { $cycle: true };
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      const items: JsonValue[] = [];
      // index loop, not map(): holes must show as undefined
      for (let i = 0; i < object.length; i++) items.push(convert(object[i], ancestors));
      return items;
    }
    if (object instanceof Map) return { $map: [...object].map(([k, v]) => [convert(k, ancestors), convert(v, ancestors)]) };
    if (object instanceof Set) return { $set: [...object].map((item) => convert(item, ancestors)) };
    if (object instanceof Error) return { $error: { name: object.name, message: object.message } };
    const fields: { [field: string]: JsonValue } = {};
    let escaped = false;
    for (const [field, fieldValue] of Object.entries(object)) {
      if (field.startsWith('$')) escaped = true;
      fields[field] = convert(fieldValue, ancestors);
    }
    return escaped ? { $object: fields } : fields;
  } finally {
    ancestors.delete(object);
  }
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
