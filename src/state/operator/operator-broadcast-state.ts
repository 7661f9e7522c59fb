/**
 * The map behind {@link OperatorStateStore.getBroadcastState}: the same contents are
 * expected on every parallel instance, so a restore hands each new instance one old copy.
 */
import type { BroadcastState } from '../state.js';
import { broadcastKeyId } from './broadcast-key.js';
import { copyStateValue } from './copy-state-value.js';

/**
 * A {@link BroadcastState} held on the heap. Keys are compared by value (tuples too) and
 * must be strings, numbers, bigints, booleans or tuples of those; keys and values are
 * copied in and out. Iteration follows insertion order.
 */
export class OperatorBroadcastState<K, V> implements BroadcastState<K, V> {
  private readonly map = new Map<string, [K, V]>();

  /** @param name - the state's name, for error messages */
  constructor(readonly name: string) {}

  /** A copy of the value stored under `key`, or `undefined`. */
  get(key: K): V | undefined {
    const entry = this.map.get(broadcastKeyId(key, this.name));
    return entry === undefined ? undefined : this.copy(entry[1]);
  }

  /** Stores a copy of `value` under `key`, replacing any earlier value. */
  put(key: K, value: V): void {
    const id = broadcastKeyId(key, this.name);
    this.map.set(id, [this.copy(key), this.copy(value)]);
  }

  /** Stores every entry; nothing changes if any key is rejected. */
  putAll(entries: Iterable<readonly [K, V]> | ReadonlyMap<K, V>): void {
    const accepted: [string, [K, V]][] = [];
    for (const [key, value] of entries) {
      accepted.push([broadcastKeyId(key, this.name), [this.copy(key), this.copy(value)]]);
    }
    for (const [id, entry] of accepted) this.map.set(id, entry);
  }

  /** Removes `key` and its value, if present. */
  remove(key: K): void {
    this.map.delete(broadcastKeyId(key, this.name));
  }

  /** Whether `key` has a value. */
  contains(key: K): boolean {
    return this.map.has(broadcastKeyId(key, this.name));
  }

  /** Copies of all `[key, value]` pairs. */
  entries(): [K, V][] {
    return [...this.map.values()].map(([key, value]) => [this.copy(key), this.copy(value)]);
  }

  /** Copies of all keys. */
  keys(): K[] {
    return [...this.map.values()].map(([key]) => this.copy(key));
  }

  /** Copies of all values. */
  values(): V[] {
    return [...this.map.values()].map(([, value]) => this.copy(value));
  }

  /** Whether the map has no entries. */
  isEmpty(): boolean {
    return this.map.size === 0;
  }

  /** Removes every entry. */
  clear(): void {
    this.map.clear();
  }

  /** The stored pairs themselves, without copying: only for snapshots. */
  storedEntries(): Iterable<readonly [K, V]> {
    return this.map.values();
  }

  /** Replaces the contents with already-owned pairs (later duplicates win): only for restores. */
  restoreEntries(entries: Iterable<[K, V]>): void {
    this.map.clear();
    for (const entry of entries) this.map.set(broadcastKeyId(entry[0], this.name), entry);
  }

  private copy<X>(value: X): X {
    return copyStateValue(value, this.name);
  }
}
