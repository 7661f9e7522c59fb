/**
 * What the five heap state kinds share: the namespace switch, and reads and writes of the
 * value for the current (key, namespace) in the {@link StateTable}, with the default
 * namespace as the fast path. Values are stored as private copies (see copy-value.ts).
 * What states of every backend share is in {@link AbstractKvState}.
 */
import { keyId, type KeyId } from '../../core/key-encoding.js';
import { AbstractKvState } from '../abstract-kv-state.js';
import { copyValue } from '../copy-value.js';
import { VOID_NAMESPACE, type Namespace } from '../namespace.js';
import type { HeapKeyContext } from './heap-key-context.js';
import type { StateTable } from './state-table.js';

/** The base of the heap state objects. */
export abstract class HeapKvState extends AbstractKvState<HeapKeyContext> {
  /** The storage; the backend snapshots and restores it. */
  readonly table: StateTable;
  private inDefaultNamespace = true;
  private namespaceId: KeyId = 0;

  constructor(name: string, table: StateTable, ctx: HeapKeyContext) {
    super(name, ctx);
    this.table = table;
  }

  setCurrentNamespace(namespace: Namespace): void {
    if (namespace === VOID_NAMESPACE) {
      this.inDefaultNamespace = true;
    } else {
      try {
        this.namespaceId = keyId(namespace);
      } catch (cause) {
        throw this.invalidNamespace(cause);
      }
      this.inDefaultNamespace = false;
    }
    this.namespace = namespace;
  }

  clear(): void {
    this.removeStored();
  }

  /** The stored value for the current key and namespace (not a copy). */
  protected readStored(): unknown {
    const index = this.ctx.slotIndex;
    if (index < 0) throw this.noCurrentKey();
    const slot = this.table.slots[index]!;
    if (this.inDefaultNamespace) return slot.data.get(this.ctx.keyId);
    const map = slot.namespaces?.get(this.namespaceId);
    return map === undefined ? undefined : map.get(this.ctx.keyId);
  }

  /** Stores `value` (already a private copy) for the current key and namespace. */
  protected writeStored(value: unknown): void {
    const index = this.ctx.slotIndex;
    if (index < 0) throw this.noCurrentKey();
    const slot = this.table.writableSlot(index);
    const map = this.inDefaultNamespace ? slot.data : this.table.namespaceForWrite(slot, this.namespaceId);
    map.set(this.ctx.keyId, value);
    if (slot.owned !== undefined && typeof value === 'object' && value !== null) slot.owned.add(value);
  }

  /** Removes the value for the current key and namespace. */
  protected removeStored(): void {
    const index = this.ctx.slotIndex;
    if (index < 0) throw this.noCurrentKey();
    if (this.readStored() === undefined) return; // no copy-on-write for a no-op
    const slot = this.table.writableSlot(index);
    if (this.inDefaultNamespace) {
      slot.data.delete(this.ctx.keyId);
      return;
    }
    const map = this.table.namespaceForWrite(slot, this.namespaceId);
    map.delete(this.ctx.keyId);
    if (map.size === 0) slot.namespaces!.delete(this.namespaceId);
  }

  /**
   * The stored container for the current key and namespace, safe to change in place:
   * when a snapshot may still hold it, it is replaced by `copy(container)` first.
   * `undefined` when there is none.
   */
  protected readForUpdate<C extends object>(copy: (container: C) => C): C | undefined {
    const index = this.ctx.slotIndex;
    if (index < 0) throw this.noCurrentKey();
    const current = this.readStored() as C | undefined;
    if (current === undefined) return undefined;
    const slot = this.table.writableSlot(index);
    if (slot.owned === undefined || slot.owned.has(current)) return current;
    const owned = copy(current);
    const map = this.inDefaultNamespace ? slot.data : this.table.namespaceForWrite(slot, this.namespaceId);
    map.set(this.ctx.keyId, owned);
    slot.owned.add(owned);
    return owned;
  }

  /** A private copy of a value coming in from the user. */
  protected copyIn<T>(value: T): T {
    if (typeof value !== 'object' || value === null) {
      if (typeof value === 'function' || typeof value === 'symbol') throw this.cannotStore(typeof value);
      return value;
    }
    try {
      return copyValue(value);
    } catch (cause) {
      throw this.cannotStore(describe(value), cause);
    }
  }
}

function describe(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a value of class ${name}` : 'this value';
}
