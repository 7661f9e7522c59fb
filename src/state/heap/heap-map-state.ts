/**
 * {@link MapState} on the heap: a JS Map per (key, namespace) from user-key id to value.
 * User keys are {@link Key}-like values, identified by their canonical bytes (so `1` and
 * `'1'` are different keys, and `-0` is `0`).
 */
import { keyFromId, type KeyId } from '../../core/key-encoding.js';
import { copyValue } from '../copy-value.js';
import type { InternalMapState } from '../internal-kv-state.js';
import { mapUserKeyId } from '../map-user-key.js';
import { HeapKvState } from './heap-kv-state.js';

type UserMap = Map<KeyId, unknown>;
const copyMap = (map: UserMap): UserMap => new Map(map);

/**
 * Heap implementation of {@link MapState}. `entries()`, `keys()` and `values()` return
 * copies taken when called, in unspecified order; the state may be changed while
 * iterating them.
 */
export class HeapMapState<UK, UV> extends HeapKvState implements InternalMapState<UK, UV> {
  readonly kind = 'map' as const;

  get(key: UK): UV | undefined {
    const id = this.userKeyId(key);
    const map = this.readStored() as UserMap | undefined;
    return map === undefined ? undefined : (copyValue(map.get(id)) as UV | undefined);
  }

  put(key: UK, value: UV): void {
    const id = this.userKeyId(key);
    const stored = this.copyIn(value);
    const map = this.readForUpdate(copyMap);
    if (map === undefined) this.writeStored(new Map([[id, stored]]));
    else map.set(id, stored);
  }

  putAll(entries: Iterable<readonly [UK, UV]> | ReadonlyMap<UK, UV>): void {
    const pairs: Array<[KeyId, unknown]> = [];
    for (const [key, value] of entries) pairs.push([this.userKeyId(key), this.copyIn(value)]);
    if (pairs.length === 0) return;
    const map = this.readForUpdate(copyMap);
    if (map === undefined) this.writeStored(new Map(pairs));
    else for (const [id, value] of pairs) map.set(id, value);
  }

  remove(key: UK): void {
    const id = this.userKeyId(key);
    const current = this.readStored() as UserMap | undefined;
    if (current === undefined || !current.has(id)) return;
    if (current.size === 1) {
      this.removeStored();
      return;
    }
    this.readForUpdate(copyMap)!.delete(id);
  }

  contains(key: UK): boolean {
    const id = this.userKeyId(key);
    const map = this.readStored() as UserMap | undefined;
    return map !== undefined && map.has(id);
  }

  entries(): Array<[UK, UV]> {
    const map = this.readStored() as UserMap | undefined;
    if (map === undefined) return [];
    const out: Array<[UK, UV]> = [];
    for (const [id, value] of map) out.push([keyFromId(id) as UK, copyValue(value) as UV]);
    return out;
  }

  keys(): UK[] {
    const map = this.readStored() as UserMap | undefined;
    if (map === undefined) return [];
    const out: UK[] = [];
    for (const id of map.keys()) out.push(keyFromId(id) as UK);
    return out;
  }

  values(): UV[] {
    const map = this.readStored() as UserMap | undefined;
    if (map === undefined) return [];
    const out: UV[] = [];
    for (const value of map.values()) out.push(copyValue(value) as UV);
    return out;
  }

  isEmpty(): boolean {
    return this.readStored() === undefined;
  }

  private userKeyId(key: UK): KeyId {
    return mapUserKeyId(key, () => this.where());
  }
}
