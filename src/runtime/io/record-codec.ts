/**
 * How batches of records cross threads: MessagePack (msgpackr) with record structures
 * defined inline, so the two sides share no codec state. Records must be plain data
 * (objects, arrays, strings, numbers, bigints, booleans, null/undefined, Map, Set, Date,
 * typed arrays); class instances arrive as plain objects.
 */
import { Packr, Unpackr } from 'msgpackr';

const packr = new Packr({ useRecords: true, moreTypes: true, int64AsType: 'bigint' });
const unpackr = new Unpackr({ useRecords: true, moreTypes: true, int64AsType: 'bigint' });

/** Encodes a batch into a fresh ArrayBuffer that can be transferred. */
export function encodeBatch(records: unknown[]): ArrayBuffer {
  const view = packr.pack(records);
  const copy = new Uint8Array(view.length);
  copy.set(view);
  return copy.buffer;
}

/** Decodes a batch made by {@link encodeBatch}. */
export function decodeBatch(bytes: Uint8Array): unknown[] {
  return unpackr.unpack(bytes) as unknown[];
}
