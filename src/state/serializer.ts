/**
 * Serializers turn state values into bytes for snapshots (and, with the RocksDB backend,
 * for every access). Every serializer has an id and a version so persisted state can
 * name the format it was written in.
 */
import { Packr } from 'msgpackr';

/** Turns values of one type into bytes and back. */
export interface TypeSerializer<T> {
  /** Stable identifier written next to the state, e.g. `'eddy.msgpack'`. */
  readonly id: string;
  /** Format version; bump it when the bytes change. */
  readonly version: number;
  serialize(value: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
}

/**
 * Objects are written as msgpackr records (defined inline in each message, so every byte
 * string decodes on its own) and JS Maps as MessagePack maps; `mapsAsObjects: false` then
 * reads the latter back as Maps. With `useRecords: false` both would be MessagePack maps
 * and a Map would come back as a plain object (or the reverse).
 */
const packr = new Packr({
  moreTypes: true,
  structuredClone: true,
  useRecords: true,
  mapsAsObjects: false,
  int64AsType: 'bigint',
  // Binary values must not stay views into the bytes they were read from (a snapshot).
  copyBuffers: true,
});

/**
 * The default serializer: MessagePack (msgpackr) with support for plain objects, arrays,
 * Map, Set, Date, bigint, typed arrays, undefined and shared or cyclic references; each
 * comes back as the same type. Class instances come back as plain objects, and `-0` as `0`.
 */
export class MsgpackSerializer<T> implements TypeSerializer<T> {
  readonly id = 'eddy.msgpack';
  readonly version = 1;
  serialize(value: T): Uint8Array {
    // pack() returns a view into a shared buffer; copy so the bytes stay stable.
    return Uint8Array.prototype.slice.call(packr.pack(value));
  }
  deserialize(bytes: Uint8Array): T {
    return packr.unpack(bytes) as T;
  }
}

/** The serializer used when a descriptor names none. */
export function defaultSerializer<T>(): TypeSerializer<T> {
  return new MsgpackSerializer<T>();
}
