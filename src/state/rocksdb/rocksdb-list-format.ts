/**
 * How a list is stored in one RocksDB value: its elements one after the other, each as
 * `varint length, serialized element`, without a count, so `add` appends bytes without
 * decoding the elements already stored.
 */
import { readVarint, varintSize, writeVarint } from './rocksdb-key-layout.js';

/** `existing` (may be undefined) followed by `elements`, each length-prefixed. */
export function appendListElements(existing: Uint8Array | undefined, elements: readonly Uint8Array[]): Uint8Array {
  let size = existing?.length ?? 0;
  for (const element of elements) size += varintSize(element.length) + element.length;
  const out = new Uint8Array(size);
  let at = 0;
  if (existing !== undefined) {
    out.set(existing, 0);
    at = existing.length;
  }
  for (const element of elements) {
    at = writeVarint(out, at, element.length);
    out.set(element, at);
    at += element.length;
  }
  return out;
}

/** The serialized elements of a stored list (views into `bytes`). */
export function splitListElements(bytes: Uint8Array): Uint8Array[] {
  const elements: Uint8Array[] = [];
  let at = 0;
  while (at < bytes.length) {
    const [length, start] = readVarint(bytes, at);
    elements.push(bytes.subarray(start, start + length));
    at = start + length;
  }
  return elements;
}
