/**
 * The storage of one heap state: one slot per key group, each a JS Map from key id to
 * value, plus one Map per non-default namespace. Snapshots are copy-on-write at two
 * levels: a snapshot freezes the slots it captures (the next write to a frozen slot
 * copies the slot's Maps first), and containers that the state kinds mutate in place
 * (lists, map-state Maps, namespace Maps, accumulators) are copied before their first
 * in-place change while a snapshot may still hold them.
 */
import type { KeyId } from '../../core/key-encoding.js';

/** One key group of one state. */
export interface KeyGroupSlot {
  /** Values in the default namespace, by key id. */
  data: Map<KeyId, unknown>;
  /** Values in other namespaces: namespace id → key id → value. */
  namespaces: Map<KeyId, Map<KeyId, unknown>> | undefined;
  /** How many snapshots in flight hold this slot; a write to a held slot copies it first. */
  sharedBy: number;
  /**
   * The containers this slot may change in place, or `undefined` when it may change all
   * of them (no snapshot in flight can hold any). After a copy-on-write it starts empty:
   * every container is still shared with the snapshot.
   */
  owned: Set<object> | undefined;
}

function emptySlot(): KeyGroupSlot {
  return { data: new Map(), namespaces: undefined, sharedBy: 0, owned: undefined };
}

/** All key groups of one state. Index = key group − first key group of the backend. */
export class StateTable {
  /** The live slots; readers may use them directly, writers go through {@link StateTable.writableSlot}. */
  slots: KeyGroupSlot[];

  constructor(numberOfKeyGroups: number) {
    this.slots = Array.from({ length: numberOfKeyGroups }, emptySlot);
  }

  /** The slot at `index`, copied first if a snapshot in flight holds it. */
  writableSlot(index: number): KeyGroupSlot {
    const slot = this.slots[index]!;
    return slot.sharedBy === 0 ? slot : this.unshare(index, slot);
  }

  /**
   * The Map of namespace `namespaceId` in a writable `slot`, created if missing and
   * copied if a snapshot may hold it.
   */
  namespaceForWrite(slot: KeyGroupSlot, namespaceId: KeyId): Map<KeyId, unknown> {
    let namespaces = slot.namespaces;
    if (namespaces === undefined) namespaces = slot.namespaces = new Map();
    let map = namespaces.get(namespaceId);
    if (map === undefined) {
      map = new Map();
      namespaces.set(namespaceId, map);
      slot.owned?.add(map);
    } else if (slot.owned !== undefined && !slot.owned.has(map)) {
      map = new Map(map);
      namespaces.set(namespaceId, map);
      slot.owned.add(map);
    }
    return map;
  }

  /** Freezes every slot for a snapshot and returns them; O(number of key groups). */
  capture(): KeyGroupSlot[] {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) slots[i]!.sharedBy++;
    return slots.slice();
  }

  /** Undoes {@link StateTable.capture} for slots a finished snapshot held. */
  static release(captured: readonly KeyGroupSlot[]): void {
    for (let i = 0; i < captured.length; i++) captured[i]!.sharedBy--;
  }

  /** Called when no snapshot is in flight any more: every container is owned again. */
  ownAll(): void {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) slots[i]!.owned = undefined;
  }

  /** The number of (key, namespace) entries, for tests and metrics. */
  size(): number {
    let total = 0;
    for (const slot of this.slots) {
      total += slot.data.size;
      if (slot.namespaces !== undefined) for (const map of slot.namespaces.values()) total += map.size;
    }
    return total;
  }

  private unshare(index: number, slot: KeyGroupSlot): KeyGroupSlot {
    const copy: KeyGroupSlot = {
      data: new Map(slot.data),
      namespaces: slot.namespaces === undefined ? undefined : new Map(slot.namespaces),
      sharedBy: 0,
      owned: new Set(),
    };
    this.slots[index] = copy;
    return copy;
  }
}

/** Whether a slot holds no entry in any namespace. */
export function isEmptySlot(slot: KeyGroupSlot): boolean {
  if (slot.data.size !== 0) return false;
  if (slot.namespaces === undefined) return true;
  for (const map of slot.namespaces.values()) if (map.size !== 0) return false;
  return true;
}
